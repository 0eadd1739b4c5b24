using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.Institutions;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Marten.Subscriptions;
using Wolverine.Runtime.Handlers;

namespace CareRegistry.Webhooks;

public sealed class WebhookOptions
{
    public const string ClientName = "webhooks";

    // Attempts before a delivery is parked for an admin to replay.
    public int MaxAttempts { get; set; } = 8;

    // Exponential backoff: the first retry after this, doubling up to MaxRetrySeconds (1, 2, 4 … s).
    public double FirstRetrySeconds { get; set; } = 1;

    public double MaxRetrySeconds { get; set; } = 300;

    public double TimeoutSeconds { get; set; } = 10;

    // CloudEvents `source`: the registry that recorded the event.
    public string Source { get; set; } = "urn:careregistry";

    public TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetrySeconds, FirstRetrySeconds * Math.Pow(2, Math.Max(0, attempts - 1))));
}

// Send one delivery. The message carries only the delivery's id: what to send and where is read when it is handled.
public record DeliverWebhook(string DeliveryId);

// The relay: a Marten event subscription that Wolverine runs on one node (UseWolverineManagedEventSubscriptionDistribution)
// from its recorded progress. For each event that a subscription wants it stores a WebhookDelivery and publishes a
// DeliverWebhook to the durable local queue `webhooks`; both go into the same PostgreSQL transaction that records the
// relay's progress (Wolverine enlists the bus in Marten's outbox for the batch). So an event, once committed, is relayed
// even if the service dies right after the commit (the relay starts again from its last recorded progress), and
// relayed once (the progress and the messages commit together); a message persisted but not yet handled when the
// node died is recovered by Wolverine's durability agent from wolverine_incoming.
public sealed class WebhookRelay() : BatchSubscription(Name)
{
    public const string Name = "webhooks";

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, IMessageBus bus,
        CancellationToken ct)
    {
        var events = page.Events.Where(e => !AuditChain.IsTombstone(e) && e.Data is IRegistryEvent && e.Data is not
            (WebhookSubscriptionCreated or WebhookSubscriptionPaused or WebhookSubscriptionResumed or WebhookSubscriptionDeleted or WebhookDeliveryReplayed)).ToList();
        if (events.Count == 0) return;
        var subscriptions = await operations.Query<WebhookSubscription>().Where(s => s.Status != WebhookStatus.Deleted).ToListAsync(ct);
        if (subscriptions.Count == 0) return;
        var places = await EventPlace.OfAsync(operations, events, ct);
        foreach (var e in events)
        {
            var type = HistoryEntry.EventType(e.EventType);
            foreach (var subscription in subscriptions.Where(s => s.Wants(type, e.Sequence, places[e.Sequence])))
            {
                var delivery = new WebhookDelivery
                {
                    Id = WebhookDelivery.IdFor(subscription.Id, e.Sequence), SubscriptionId = subscription.Id, Sequence = e.Sequence, StreamId = e.StreamId,
                    EventType = type, RecordedAt = e.Timestamp, Status = DeliveryStatus.Pending,
                };
                operations.Store(delivery);
                await bus.PublishAsync(new DeliverWebhook(delivery.Id));
            }
        }
    }
}

// CloudEvents 1.0, structured mode (application/cloudevents+json), written plainly: id is the event's global sequence
// (receivers drop duplicates by it), subject the stream, data the event exactly as the audit feed serialises it.
public static class CloudEvent
{
    public const string ContentType = "application/cloudevents+json";
    public const string SignatureHeader = "X-CareRegistry-Signature";

    public static byte[] Body(IEvent e, string source)
    {
        var envelope = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = e.Sequence.ToString(CultureInfo.InvariantCulture),
            ["source"] = source,
            ["type"] = WebhookEventTypes.CloudEventPrefix + HistoryEntry.EventType(e.EventType),
            ["time"] = e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            ["subject"] = e.StreamId.ToString(),
            ["datacontenttype"] = "application/json",
            ["data"] = JsonSerializer.SerializeToNode(FeedEvent.From(e), Json.Options),
        };
        return Encoding.UTF8.GetBytes(envelope.ToJsonString(Json.Options));
    }

    // sha256=<hex HMAC-SHA256 of the exact body, keyed with the subscription's secret>.
    public static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}

// Handles DeliverWebhook from the durable local queue. Order: a subscription's events of one stream are delivered in
// sequence order — a delivery waits while an earlier one of its stream is not yet delivered, and a successful one
// hands over to the next of its stream. Streams do not wait for each other, so one institution whose deliveries fail
// does not hold back the rest of the subscription. A receiver's refusal (non-2xx, timeout, refused connection) is
// recorded on the delivery — attempts, last error, next attempt — in the same transaction that schedules the retry
// (a durable scheduled message) with exponential backoff; after MaxAttempts the delivery is parked. Errors of the
// registry's own (the database away) are Wolverine's error policy below: cooldown retries, then scheduled retries.
public static class DeliverWebhookHandler
{
    private static readonly TimeSpan WaitCheck = TimeSpan.FromSeconds(30);

    public static void Configure(HandlerChain chain) =>
        chain.OnAnyException().RetryWithCooldown(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5))
            .Then.ScheduleRetryIndefinitely(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));

    public static async Task<OutgoingMessages> Handle(DeliverWebhook message, IDocumentSession session, IHttpClientFactory clients,
        IOptions<WebhookOptions> settings, TimeProvider clock, CancellationToken ct)
    {
        var next = new OutgoingMessages();
        var options = settings.Value;
        var delivery = await session.LoadAsync<WebhookDelivery>(message.DeliveryId, ct);
        if (delivery is null || delivery.Status is DeliveryStatus.Delivered or DeliveryStatus.Parked or DeliveryStatus.Cancelled) return next;
        var subscription = await session.LoadAsync<WebhookSubscription>(delivery.SubscriptionId, ct);
        if (subscription is null || subscription.Status == WebhookStatus.Deleted)
        {
            delivery.Status = DeliveryStatus.Cancelled;
            delivery.NextAttemptAt = null;
            session.Store(delivery);
            return next;
        }
        // Resuming publishes every waiting delivery again.
        if (subscription.Status == WebhookStatus.Paused) return next;

        var earlier = await session.Query<WebhookDelivery>()
            .Where(d => d.SubscriptionId == delivery.SubscriptionId && d.StreamId == delivery.StreamId && d.Sequence < delivery.Sequence
                        && d.Status != DeliveryStatus.Delivered && d.Status != DeliveryStatus.Cancelled)
            .OrderBy(d => d.Sequence).FirstOrDefaultAsync(ct);
        if (earlier is not null)
        {
            if (earlier.Status == DeliveryStatus.Parked)
            {
                delivery.Status = DeliveryStatus.Parked;
                delivery.HeldBehind = earlier.Sequence;
                delivery.LastError = $"held: the delivery of event {earlier.Sequence} of the same stream is parked (order per stream)";
                delivery.NextAttemptAt = null;
                session.Store(delivery);
            }
            else
            {
                // The earlier one hands over when it is delivered; this is only the safety net.
                next.Add(message.DelayedFor(WaitCheck));
            }
            return next;
        }

        var secret = await session.LoadAsync<WebhookSecret>(subscription.Id, ct);
        var e = await session.Events.QueryAllRawEvents().Where(x => x.Sequence == delivery.Sequence).FirstOrDefaultAsync(ct);
        string? error;
        if (secret is null) error = "the subscription has no secret in this registry (imported?): nothing is sent unsigned";
        else if (e is null) error = $"event {delivery.Sequence} is not in the log";
        else error = await SendAsync(clients, subscription.Url, CloudEvent.Body(e, options.Source), secret.Secret, options, ct);

        var now = clock.GetUtcNow();
        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        if (error is null)
        {
            delivery.Status = DeliveryStatus.Delivered;
            delivery.DeliveredAt = now;
            delivery.NextAttemptAt = null;
            session.Store(delivery);
            // Hand over to the next delivery of this stream (waiting, or parked only because this one was).
            var successor = await SuccessorAsync(session, delivery, ct);
            if (successor is not null)
            {
                if (successor.Status == DeliveryStatus.Parked && successor.HeldBehind is not null)
                {
                    successor.Status = DeliveryStatus.Pending;
                    successor.HeldBehind = null;
                    successor.LastError = null;
                    session.Store(successor);
                }
                if (successor.Status != DeliveryStatus.Parked) next.Add(new DeliverWebhook(successor.Id));
            }
            WebhookMetrics.Delivered(now - delivery.RecordedAt);
            return next;
        }

        delivery.LastError = error.Length > 500 ? error[..500] : error;
        // Without a secret no attempt can succeed: parked at once rather than after MaxAttempts.
        if (delivery.Attempts >= options.MaxAttempts || secret is null)
        {
            delivery.Status = DeliveryStatus.Parked;
            delivery.NextAttemptAt = null;
            WebhookMetrics.Parked();
            // The next of its stream is parked behind it now rather than at its next check.
            if (await SuccessorAsync(session, delivery, ct) is { Status: not DeliveryStatus.Parked } successor) next.Add(new DeliverWebhook(successor.Id));
        }
        else
        {
            var wait = options.Backoff(delivery.Attempts);
            WebhookMetrics.Retried();
            delivery.Status = DeliveryStatus.Retrying;
            delivery.NextAttemptAt = now + wait;
            next.Add(message.DelayedFor(wait));
        }
        session.Store(delivery);
        return next;
    }

    private static Task<WebhookDelivery?> SuccessorAsync(IDocumentSession session, WebhookDelivery delivery, CancellationToken ct) =>
        session.Query<WebhookDelivery>()
            .Where(d => d.SubscriptionId == delivery.SubscriptionId && d.StreamId == delivery.StreamId && d.Sequence > delivery.Sequence
                        && d.Status != DeliveryStatus.Delivered && d.Status != DeliveryStatus.Cancelled)
            .OrderBy(d => d.Sequence).FirstOrDefaultAsync(ct);

    // null when the receiver answered 2xx; otherwise what went wrong, for the delivery's record.
    private static async Task<string?> SendAsync(IHttpClientFactory clients, string url, byte[] body, string secret, WebhookOptions options, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEvent.ContentType) { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(CloudEvent.SignatureHeader, CloudEvent.Signature(secret, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        try
        {
            using var response = await clients.CreateClient(WebhookOptions.ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"the receiver answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException x)
        {
            return $"no answer: {x.Message}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {options.TimeoutSeconds} s";
        }
    }
}

// careregistry.webhook.* on the registry's meter (exported with the others, docs/operations.md).
public static class WebhookMetrics
{
    private static readonly System.Diagnostics.Metrics.Meter Meter = new(RegistryMetrics.MeterName);

    private static readonly System.Diagnostics.Metrics.Counter<long> Outcomes = Meter.CreateCounter<long>("careregistry.webhook.deliveries", "{delivery}",
        "Webhook delivery attempts by outcome (delivered, retry, parked).");

    private static readonly System.Diagnostics.Metrics.Histogram<double> TimeToDeliver = Meter.CreateHistogram<double>("careregistry.webhook.time_to_deliver", "s",
        "From the moment the event was recorded to the receiver's 2xx.");

    public static void Delivered(TimeSpan since)
    {
        Outcomes.Add(1, new KeyValuePair<string, object?>("outcome", "delivered"));
        TimeToDeliver.Record(since.TotalSeconds);
    }

    public static void Retried() => Outcomes.Add(1, new KeyValuePair<string, object?>("outcome", "retry"));

    public static void Parked() => Outcomes.Add(1, new KeyValuePair<string, object?>("outcome", "parked"));
}
