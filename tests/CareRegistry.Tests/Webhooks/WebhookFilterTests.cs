using CareRegistry.Audit;
using CareRegistry.Webhooks;

namespace CareRegistry.Tests.Webhooks;

// Which events a subscription wants: its types, recorded after it, and inside its prefix (00: the nation).
public class WebhookFilterTests
{
    private static WebhookSubscription Subscription(string jurisdiction, WebhookStatus status = WebhookStatus.Active) =>
        new(Guid.NewGuid(), "https://example.org/hook", ["institution-registered", "regime-changed"], jurisdiction, "sha256:0", status, 100,
            DateTimeOffset.UtcNow, "admin", 1);

    private static readonly EventPlace Xishan = new(["530112"], null);
    private static readonly EventPlace Yubei = new(["500112"], null);
    private static readonly EventPlace Crossing = new(["500112", "530111"], null);

    [Fact]
    public void The_type_the_prefix_and_the_moment_of_subscribing_decide()
    {
        var kunming = Subscription("5301");
        Assert.True(kunming.Wants("institution-registered", 101, Xishan));
        Assert.False(kunming.Wants("institution-registered", 100, Xishan));
        Assert.False(kunming.Wants("institution-closed", 101, Xishan));
        Assert.False(kunming.Wants("institution-registered", 101, Yubei));
        Assert.True(kunming.Wants("institution-registered", 101, Crossing));
        Assert.False(kunming.Wants("institution-registered", 101, EventPlace.Nowhere));
        Assert.False(Subscription("5301", WebhookStatus.Deleted).Wants("institution-registered", 101, Xishan));
    }

    [Fact]
    public void A_national_subscription_wants_every_place()
    {
        var nation = Subscription("00");
        Assert.True(nation.Wants("institution-registered", 101, Xishan));
        Assert.True(nation.Wants("institution-registered", 101, Yubei));
        Assert.True(nation.Wants("regime-changed", 101, new EventPlace([], "")));
    }

    [Fact]
    public void A_jurisdictions_rule_reaches_the_prefixes_above_and_below_it()
    {
        var kunming = Subscription("5301");
        Assert.True(kunming.Wants("regime-changed", 101, new EventPlace([], "53")));
        Assert.True(kunming.Wants("regime-changed", 101, new EventPlace([], "")));
        Assert.True(kunming.Wants("regime-changed", 101, new EventPlace([], "530111")));
        Assert.False(kunming.Wants("regime-changed", 101, new EventPlace([], "50")));
        Assert.False(kunming.Wants("regime-changed", 101, new EventPlace([], "5302")));
    }

    [Fact]
    public void The_vocabulary_is_the_feeds_wire_names_without_the_subscriptions_own()
    {
        Assert.Contains("institution-registered", WebhookEventTypes.All);
        Assert.Contains("permit-granted", WebhookEventTypes.All);
        Assert.Contains("entry-retracted", WebhookEventTypes.All);
        Assert.DoesNotContain(WebhookEventTypes.All, t => t.StartsWith("webhook-", StringComparison.Ordinal));
    }
}
