using CareRegistry.Common;
using CareRegistry.Institutions;

namespace CareRegistry.Webhooks;

// The event types a subscription may name: the wire names the audit feed gives every registry event
// (HistoryEntry.EventType, e.g. institution-registered, permit-granted). A subscription's own events are not among
// them: they concern no jurisdiction and are the admins' business.
public static class WebhookEventTypes
{
    public static readonly IReadOnlyList<string> All = typeof(IRegistryEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IRegistryEvent).IsAssignableFrom(t) && t.Namespace != typeof(WebhookEventTypes).Namespace)
        .Select(HistoryEntry.EventType)
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToList();

    private static readonly HashSet<string> Known = [.. All];

    public static bool IsKnown(string? type) => type is not null && Known.Contains(type);

    // The CloudEvents type of a delivery: the wire name under the registry's reverse-DNS prefix, as the spec asks.
    public const string CloudEventPrefix = "cn.careregistry.";
}
