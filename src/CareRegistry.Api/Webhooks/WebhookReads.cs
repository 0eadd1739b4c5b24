using CareRegistry.Localization;
using System.Globalization;
using CareRegistry.Access;
using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Attributes;
using Wolverine.Http;

namespace CareRegistry.Webhooks;

public record DeliveryCounts(int Delivered, int Pending, int Retrying, int Parked, int Cancelled);

// A subscription as admins and auditors see it: never its secret, only the secret's fingerprint.
public record WebhookView(
    Guid Id, long Version, string Url, IReadOnlyList<string> EventTypes, string Jurisdiction, WebhookStatus Status, string SecretFingerprint,
    DateTimeOffset CreatedAt, string? CreatedBy, DeliveryCounts? Deliveries)
{
    public static WebhookView From(WebhookSubscription s, DeliveryCounts? counts) =>
        new(s.Id, s.Version, s.Url, s.EventTypes, s.Jurisdiction, s.Status, s.SecretFingerprint, s.CreatedAt, s.CreatedBy, counts);
}

public record WebhookDeliveryView(
    long Sequence, Guid StreamId, string EventType, DeliveryStatus Status, int Attempts, string? LastError, DateTimeOffset RecordedAt,
    DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, long? HeldBehind, int Replays)
{
    public static WebhookDeliveryView From(WebhookDelivery d) =>
        new(d.Sequence, d.StreamId, d.EventType, d.Status, d.Attempts, d.LastError, d.RecordedAt, d.LastAttemptAt, d.NextAttemptAt, d.DeliveredAt,
            d.HeldBehind, d.Replays);
}

public static class WebhookReads
{
    public static async Task<DeliveryCounts> CountAsync(IQuerySession session, Guid id, CancellationToken ct)
    {
        async Task<int> Of(DeliveryStatus status) =>
            await session.Query<WebhookDelivery>().Where(d => d.SubscriptionId == id && d.Status == status).CountAsync(ct);
        return new(await Of(DeliveryStatus.Delivered), await Of(DeliveryStatus.Pending), await Of(DeliveryStatus.Retrying),
            await Of(DeliveryStatus.Parked), await Of(DeliveryStatus.Cancelled));
    }
}

public static class ListWebhooksEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns() => AccessSubject.Nothing;

    // Every subscription inside the caller's jurisdiction (auditors and national admins: all), deleted ones included.
    [WolverineGet("/api/admin/webhooks"), Tags("Webhooks")]
    [ProducesResponseType<IReadOnlyList<WebhookView>>(200)]
    public static async Task<IResult> Get(IQuerySession session, HttpContext http, CancellationToken ct)
    {
        var prefix = Division.NormalizePrefix(AccessGate.ReadPrefix(http, null));
        var all = await session.Query<WebhookSubscription>().OrderBy(s => s.CreatedAt).ToListAsync(ct);
        var visible = all.Where(s => Division.Covers(prefix, Division.NormalizePrefix(s.Jurisdiction))).Select(s => WebhookView.From(s, null)).ToList();
        return Results.Json(visible, Json.Options);
    }
}

public static class GetWebhookEndpoint
{
    public static Task<WebhookSubscription?> LoadAsync(Guid id, IQuerySession session, CancellationToken ct) => session.LoadAsync<WebhookSubscription>(id, ct);

    [WolverineBefore]
    public static AccessSubject Concerns(WebhookSubscription? subscription) => WebhookAccess.Of(subscription);

    [WolverineGet("/api/admin/webhooks/{id}"), Tags("Webhooks")]
    [ProducesResponseType<WebhookView>(200)]
    public static async Task<IResult> Get(Guid id, WebhookSubscription? subscription, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        if (subscription is null) return Results.Problem(Problems.NotFound(L.T("no webhook subscription {0}", id)));
        http.Response.Headers.ETag = Concurrency.ETag(subscription.Version);
        return Results.Json(WebhookView.From(subscription, await WebhookReads.CountAsync(session, id, ct)), Json.Options);
    }
}

public static class ListDeliveriesEndpoint
{
    public static Task<WebhookSubscription?> LoadAsync(Guid id, IQuerySession session, CancellationToken ct) => session.LoadAsync<WebhookSubscription>(id, ct);

    [WolverineBefore]
    public static AccessSubject Concerns(WebhookSubscription? subscription) => WebhookAccess.Of(subscription);

    // The subscription's deliveries in sequence order, optionally of one status (parked: what an admin may replay).
    [WolverineGet("/api/admin/webhooks/{id}/deliveries"), Tags("Webhooks")]
    [ProducesResponseType<Page<WebhookDeliveryView>>(200)]
    public static async Task<IResult> Get(Guid id, string? status, string? cursor, string? limit, WebhookSubscription? subscription, IQuerySession session,
        CancellationToken ct)
    {
        var v = new Validation();
        DeliveryStatus? only = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (Json.TryParse<DeliveryStatus>(status, out var s)) only = s;
            else v.Add("status", L.T("must be one of {0}", Json.WireValues<DeliveryStatus>()));
        }
        var take = ReadParameters.Limit(v, limit);
        long after = 0;
        if (ReadParameters.DecodeCursor(v, cursor) is { } position && !long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out after))
            v.Add("cursor", L.T("is not a cursor this registry issued"));
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        if (subscription is null) return Results.Problem(Problems.NotFound(L.T("no webhook subscription {0}", id)));

        var query = session.Query<WebhookDelivery>().Where(d => d.SubscriptionId == id && d.Sequence > after);
        if (only is { } wanted) query = query.Where(d => d.Status == wanted);
        var page = await query.OrderBy(d => d.Sequence).Take(take + 1).ToListAsync(ct);
        var items = page.Take(take).Select(WebhookDeliveryView.From).ToList();
        var next = page.Count > take ? ReadParameters.EncodeCursor(items[^1].Sequence.ToString(CultureInfo.InvariantCulture)) : null;
        return Results.Json(new Page<WebhookDeliveryView>(items, next), Json.Options);
    }
}
