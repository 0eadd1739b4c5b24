using CareRegistry.Common;
using JasperFx.Events;

namespace CareRegistry.Webhooks;

// A subscription's own stream records what admins did with it. The secret is never in an event (the audit feed and
// exports show events); only its fingerprint is, so an auditor can tell when it changed. The secret itself is a
// document of its own (WebhookSecret).
// AfterSequence and CreatedAt are recorded by the command: an inline projection does not see the sequence and timestamp
// the database gives the event (quick appends assign them there). Subscriptions recorded before they were carried
// take the event's own.
public record WebhookSubscriptionCreated(
    Guid SubscriptionId, string Url, IReadOnlyList<string> EventTypes, string Jurisdiction, string SecretFingerprint, DateOnly EffectiveOn,
    long? AfterSequence = null, DateTimeOffset? CreatedAt = null)
    : IRegistryEvent
{
    public string Describe() => $"webhook subscription to {Url} for {string.Join(", ", EventTypes)} in {(Jurisdiction.Length == 0 ? "00" : Jurisdiction)}";
}

public record WebhookSubscriptionPaused(Guid SubscriptionId, string? Reason, DateOnly EffectiveOn) : IRegistryEvent
{
    public string Describe() => $"webhook subscription paused{(Reason is null ? "" : $": {Reason}")}";
}

public record WebhookSubscriptionResumed(Guid SubscriptionId, string? Reason, DateOnly EffectiveOn) : IRegistryEvent
{
    public string Describe() => $"webhook subscription resumed{(Reason is null ? "" : $": {Reason}")}";
}

public record WebhookSubscriptionDeleted(Guid SubscriptionId, string? Reason, DateOnly EffectiveOn) : IRegistryEvent
{
    public string Describe() => $"webhook subscription deleted{(Reason is null ? "" : $": {Reason}")}";
}

// An admin sent a parked delivery again.
public record WebhookDeliveryReplayed(Guid SubscriptionId, long Sequence, DateOnly EffectiveOn) : IRegistryEvent
{
    public string Describe() => $"parked webhook delivery of event {Sequence} replayed";
}

public enum WebhookStatus { Active, Paused, Deleted }

// The subscription as it stands (an inline snapshot of its stream). FromSequence: the subscription receives the
// events recorded after it was created, not the log before it (a receiver that needs the past reads the feed).
public record WebhookSubscription(
    Guid Id, string Url, IReadOnlyList<string> EventTypes, string Jurisdiction, string SecretFingerprint, WebhookStatus Status,
    long FromSequence, DateTimeOffset CreatedAt, string? CreatedBy, long Version)
{
    public static WebhookSubscription Create(IEvent<WebhookSubscriptionCreated> e) =>
        new(e.Data.SubscriptionId, e.Data.Url, e.Data.EventTypes, e.Data.Jurisdiction, e.Data.SecretFingerprint, WebhookStatus.Active,
            e.Data.AfterSequence ?? e.Sequence, e.Data.CreatedAt ?? e.Timestamp, e.UserName, e.Version);

    public WebhookSubscription Apply(IEvent<WebhookSubscriptionPaused> e) => this with { Status = WebhookStatus.Paused, Version = e.Version };

    public WebhookSubscription Apply(IEvent<WebhookSubscriptionResumed> e) => this with { Status = WebhookStatus.Active, Version = e.Version };

    public WebhookSubscription Apply(IEvent<WebhookSubscriptionDeleted> e) => this with { Status = WebhookStatus.Deleted, Version = e.Version };

    public WebhookSubscription Apply(IEvent<WebhookDeliveryReplayed> e) => this with { Version = e.Version };

    // Whether an event of this type and place, recorded at this sequence, is for this subscription.
    public bool Wants(string type, long sequence, Audit.EventPlace place) =>
        Status != WebhookStatus.Deleted && sequence > FromSequence && EventTypes.Contains(type) && place.Within(Division.NormalizePrefix(Jurisdiction));
}

// The shared secret of a subscription, kept out of the event log.
public sealed class WebhookSecret
{
    public Guid Id { get; set; }

    public string Secret { get; set; } = "";
}

public enum DeliveryStatus { Pending, Retrying, Delivered, Parked, Cancelled }

// One event for one subscription: written by the relay in the same transaction that moves the relay past the event,
// and updated by each attempt. Id: "{subscription}:{sequence}".
public sealed class WebhookDelivery
{
    public string Id { get; set; } = "";

    public Guid SubscriptionId { get; set; }

    public long Sequence { get; set; }

    public Guid StreamId { get; set; }

    public string EventType { get; set; } = "";

    // When the event was recorded: time to deliver is measured from here.
    public DateTimeOffset RecordedAt { get; set; }

    public DeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    // Parked because an earlier delivery of the same stream is parked (order per stream): sent again once that one is.
    public long? HeldBehind { get; set; }

    public int Replays { get; set; }

    public static string IdFor(Guid subscription, long sequence) => $"{subscription:N}:{sequence}";
}
