using CareRegistry.Localization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using CareRegistry.Access;
using CareRegistry.Common;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Attributes;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Webhooks;

// Register a subscription: where to POST, which event types, which jurisdiction (a division prefix, 00 the nation),
// and the shared secret the deliveries are signed with (given, at least 32 characters, or generated and answered once).
public record SubscribeWebhook(string? Url, IReadOnlyList<string>? EventTypes, string? Jurisdiction, string? Secret)
{
    public const int MinSecretLength = 32;
    public const int MaxSecretLength = 200;
    public const int MaxUrlLength = 2000;
    public const int MaxEventTypes = 100;

    public ProblemDetails Validate()
    {
        var v = new Validation().Require("url", Url, MaxUrlLength);
        if (!string.IsNullOrWhiteSpace(Url) && UrlProblem(Url) is { } problem) v.Add("url", problem);
        if (EventTypes is null || EventTypes.Count == 0) v.Add("eventTypes", L.T("is required: one or more event types"));
        else if (EventTypes.Count > MaxEventTypes) v.Add("eventTypes", L.T("must name at most {0} event types", MaxEventTypes));
        else
        {
            var unknown = EventTypes.Where(t => !WebhookEventTypes.IsKnown(t)).Select(t => t ?? "null").ToList();
            if (unknown.Count > 0)
                v.Add("eventTypes", L.T("names unknown event types ({0}); the types are the audit feed's: {1}", string.Join(", ", unknown.Take(5).Select(t => t.Length > 60 ? t[..60] + "…" : t)), string.Join(", ", WebhookEventTypes.All)));
            else if (EventTypes.Distinct().Count() != EventTypes.Count) v.Add("eventTypes", L.T("must not repeat an event type"));
        }
        if (string.IsNullOrEmpty(Jurisdiction)) v.Add("jurisdiction", L.T("is required: a division prefix (00 for the nation)"));
        else v.Check("jurisdiction", Division.PrefixProblem(Jurisdiction));
        if (Secret is not null)
        {
            if (Secret.Length < MinSecretLength) v.Add("secret", L.T("must be at least {0} characters (or leave it out and the registry generates one)", MinSecretLength));
            v.Optional("secret", Secret, MaxSecretLength);
        }
        return v.Answer();
    }

    // Absolute http or https, with a host and without credentials in it (those would be logged and shown to auditors).
    private static Text? UrlProblem(string url) =>
        !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) ? L.T("must be an absolute URL")
        : uri.Scheme is not ("http" or "https") ? L.T("must be an http or https URL")
        : string.IsNullOrEmpty(uri.Host) ? L.T("must name a host")
        : uri.UserInfo.Length > 0 ? L.T("must not carry a user name or password")
        : uri.Fragment.Length > 0 ? L.T("must not have a fragment")
        : null;
}

// 201 with the subscription's id and, when the registry generated the secret, the secret: the only time it is shown.
public record WebhookCreated(Guid Id, long Version, string? Secret, [property: System.Text.Json.Serialization.JsonIgnore] string Location) : IHttpAware
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => StreamCreated.Describe<WebhookCreated>(builder);

    public void Apply(HttpContext context) => StreamCreated.Answer(context, Location, Version);
}

public static class WebhookAccess
{
    // A subscription concerns the jurisdiction it pushes from: an admin must cover it (the nation: a national admin).
    public static AccessSubject Of(WebhookSubscription? subscription) =>
        subscription is null ? AccessSubject.Nothing : AccessSubject.Jurisdiction(subscription.Jurisdiction);

    public static string Fingerprint(string secret) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..16];

    public static ProblemDetails Exists(IEventStream<WebhookSubscription> stream, HttpContext http) =>
        stream.Aggregate is null
            ? Problems.NotFound(L.T("no webhook subscription {0}", stream.Id))
            : Concurrency.CheckIfMatch(http, stream.CurrentVersion ?? 0);

    public static ProblemDetails NotDeleted(IEventStream<WebhookSubscription> stream) =>
        stream.Aggregate?.Status == WebhookStatus.Deleted ? Problems.Conflict(L.T("webhook subscription {0} is deleted", stream.Id)) : WolverineContinue.NoProblems;

    public static CommandAccepted Accepted(IEventStream<WebhookSubscription> stream) => new(stream.Id, stream.CurrentVersion ?? 0);
}

public static class SubscribeWebhookEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(SubscribeWebhook command) =>
        AccessSubject.Jurisdiction(string.IsNullOrEmpty(command.Jurisdiction) ? "00" : command.Jurisdiction, "jurisdiction");

    public static ProblemDetails Validate(SubscribeWebhook command) => command.Validate();

    [WolverinePost("/api/admin/webhooks"), Tags("Webhooks")]
    public static async Task<(WebhookCreated, IStartStream)> Post(SubscribeWebhook command, IDocumentSession session, Npgsql.NpgsqlDataSource database,
        TimeProvider clock, CancellationToken ct)
    {
        // The subscription receives what is recorded after it: the last event recorded now is where it starts, and the
        // database's clock, as an event's timestamp would be, says when.
        await using var query = database.CreateCommand(
            $"select coalesce(max(seq_id), 0), clock_timestamp() from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events");
        await using var reader = await query.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (after, now) = (reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1));
        var id = Guid.CreateVersion7();
        var generated = command.Secret is null;
        var secret = command.Secret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        session.Store(new WebhookSecret { Id = id, Secret = secret });
        var created = new WebhookSubscriptionCreated(id, command.Url!.Trim(), command.EventTypes!.ToList(), command.Jurisdiction!,
            WebhookAccess.Fingerprint(secret), clock.Today(), after, now.ToUniversalTime());
        return (new WebhookCreated(id, 1, generated ? secret : null, $"/api/admin/webhooks/{id}"), MartenOps.StartStream<WebhookSubscription>(id, created));
    }
}

// Pause, resume, delete: an optional reason each.
public record ChangeWebhook(string? Reason)
{
    public ProblemDetails Validate() => new Validation().Optional("reason", Reason, 300).Answer();
}

// Pause, resume and delete share their steps: Wolverine applies a class's Load, Concerns, Validate and Before to each
// of its routes.
public static class ChangeWebhookEndpoints
{
    public static Task<IEventStream<WebhookSubscription>> LoadAsync(Guid id, IDocumentSession session, CancellationToken ct) =>
        session.Events.FetchForExclusiveWriting<WebhookSubscription>(id, ct);

    [WolverineBefore]
    public static AccessSubject Concerns(IEventStream<WebhookSubscription> stream) => WebhookAccess.Of(stream.Aggregate);

    public static ProblemDetails Validate(ChangeWebhook command) => command.Validate();

    public static ProblemDetails Before(IEventStream<WebhookSubscription> stream, HttpContext http) =>
        WebhookAccess.Exists(stream, http).Then(() => WebhookAccess.NotDeleted(stream));

    // Deliveries go on being recorded while paused and are sent on resume: pausing loses nothing.
    [WolverinePost("/api/admin/webhooks/{id}/pause"), Tags("Webhooks")]
    public static CommandAccepted Pause(Guid id, ChangeWebhook command, IEventStream<WebhookSubscription> stream, TimeProvider clock)
    {
        if (stream.Aggregate!.Status != WebhookStatus.Paused) stream.AppendOne(new WebhookSubscriptionPaused(id, command.Reason?.Trim(), clock.Today()));
        return WebhookAccess.Accepted(stream);
    }

    // The deliveries recorded while paused are sent now, through the outbox of this same transaction.
    [WolverinePost("/api/admin/webhooks/{id}/resume"), Tags("Webhooks")]
    public static async Task<CommandAccepted> Resume(Guid id, ChangeWebhook command, IEventStream<WebhookSubscription> stream, IDocumentSession session,
        IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        if (stream.Aggregate!.Status != WebhookStatus.Paused) return WebhookAccess.Accepted(stream);
        stream.AppendOne(new WebhookSubscriptionResumed(id, command.Reason?.Trim(), clock.Today()));
        var waiting = await session.Query<WebhookDelivery>()
            .Where(d => d.SubscriptionId == id && (d.Status == DeliveryStatus.Pending || d.Status == DeliveryStatus.Retrying))
            .Select(d => d.Id).ToListAsync(ct);
        foreach (var delivery in waiting) await bus.PublishAsync(new DeliverWebhook(delivery));
        return WebhookAccess.Accepted(stream);
    }

    // Its stream stays (an audit trail); deliveries not yet made are cancelled when their turn comes.
    [WolverinePost("/api/admin/webhooks/{id}/deletion"), Tags("Webhooks")]
    public static CommandAccepted Delete(Guid id, ChangeWebhook command, IEventStream<WebhookSubscription> stream, TimeProvider clock)
    {
        stream.AppendOne(new WebhookSubscriptionDeleted(id, command.Reason?.Trim(), clock.Today()));
        return WebhookAccess.Accepted(stream);
    }
}

// Send a parked delivery again (its attempts start afresh).
public record ReplayDelivery(long? Sequence)
{
    public ProblemDetails Validate()
    {
        var v = new Validation();
        if (Sequence is null) v.Add("sequence", L.T("is required: the event's sequence number (the delivery's id)"));
        else if (Sequence < 1) v.Add("sequence", L.T("must be a sequence number (1 or more)"));
        return v.Answer();
    }
}

public static class ReplayDeliveryEndpoint
{
    public static Task<IEventStream<WebhookSubscription>> LoadAsync(Guid id, IDocumentSession session, CancellationToken ct) =>
        session.Events.FetchForExclusiveWriting<WebhookSubscription>(id, ct);

    [WolverineBefore]
    public static AccessSubject Concerns(IEventStream<WebhookSubscription> stream) => WebhookAccess.Of(stream.Aggregate);

    public static ProblemDetails Validate(ReplayDelivery command) => command.Validate();

    public static async Task<ProblemDetails> BeforeAsync(Guid id, ReplayDelivery command, IEventStream<WebhookSubscription> stream, HttpContext http,
        IDocumentSession session, CancellationToken ct)
    {
        if (WebhookAccess.Exists(stream, http).Then(() => WebhookAccess.NotDeleted(stream)) is var problem && problem != WolverineContinue.NoProblems)
            return problem;
        var delivery = await session.LoadAsync<WebhookDelivery>(WebhookDelivery.IdFor(id, command.Sequence!.Value), ct);
        return delivery is null ? Problems.NotFound(L.T("no delivery of event {0} for webhook subscription {1}", command.Sequence, id))
            : delivery.Status != DeliveryStatus.Parked ? Problems.Conflict(L.T("the delivery of event {0} is {1}, not parked", command.Sequence, Json.Wire(delivery.Status)))
            : WolverineContinue.NoProblems;
    }

    [WolverinePost("/api/admin/webhooks/{id}/replay"), Tags("Webhooks")]
    public static async Task<CommandAccepted> Post(Guid id, ReplayDelivery command, IEventStream<WebhookSubscription> stream, IDocumentSession session,
        IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var delivery = (await session.LoadAsync<WebhookDelivery>(WebhookDelivery.IdFor(id, command.Sequence!.Value), ct))!;
        delivery.Status = DeliveryStatus.Pending;
        delivery.Attempts = 0;
        delivery.HeldBehind = null;
        delivery.NextAttemptAt = null;
        delivery.Replays++;
        session.Store(delivery);
        stream.AppendOne(new WebhookDeliveryReplayed(id, delivery.Sequence, clock.Today()));
        await bus.PublishAsync(new DeliverWebhook(delivery.Id));
        return WebhookAccess.Accepted(stream);
    }
}
