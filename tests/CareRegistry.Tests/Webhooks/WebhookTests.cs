using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using CareRegistry.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareRegistry.Tests.Webhooks;

public class WebhookTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private const string Secret = "a-shared-secret-of-at-least-32-characters";

    private string Admin(string jurisdiction = "00") => Fixture.Tokens.For("webhook-admin", null, Role.Admin, jurisdiction);

    private Task<Answer> Subscribe(object body, string? token = null) => Client.Post("/api/admin/webhooks", body, bearer: token ?? Admin());

    private static object Subscription(string url, string[] types, string jurisdiction = "5301", string? secret = Secret) =>
        new { url, eventTypes = types, jurisdiction, secret };

    [Theory]
    [InlineData("ftp://example.org/hook", "url")]
    [InlineData("not a url", "url")]
    [InlineData("/relative/hook", "url")]
    [InlineData("https://user:pw@example.org/hook", "url")]
    public async Task A_bad_url_is_refused_naming_the_field(string url, string field) =>
        (await Subscribe(Subscription(url, ["institution-registered"]))).ShouldBeProblem(HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task Unknown_event_types_a_bad_prefix_and_a_short_secret_are_refused_naming_each_field()
    {
        var answer = (await Subscribe(Subscription("https://example.org/hook", ["institution-registered", "institution-renamed"])))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "eventTypes");
        Assert.Contains("institution-renamed", answer.Text);
        (await Subscribe(Subscription("https://example.org/hook", [])) ).ShouldBeProblem(HttpStatusCode.BadRequest, "eventTypes");
        (await Subscribe(Subscription("https://example.org/hook", ["institution-registered"], "530199"))).ShouldBeProblem(HttpStatusCode.BadRequest, "jurisdiction");
        (await Subscribe(Subscription("https://example.org/hook", ["institution-registered"], "5x"))).ShouldBeProblem(HttpStatusCode.BadRequest, "jurisdiction");
        (await Subscribe(Subscription("https://example.org/hook", ["institution-registered"], secret: "short"))).ShouldBeProblem(HttpStatusCode.BadRequest, "secret");
        // The subscription's own events are not in the vocabulary.
        (await Subscribe(Subscription("https://example.org/hook", ["webhook-subscription-created"]))).ShouldBeProblem(HttpStatusCode.BadRequest, "eventTypes");
        await using var session = Fixture.Store.QuerySession();
        Assert.Equal(0, await Marten.QueryableExtensions.CountAsync(session.Events.QueryAllRawEvents()));
    }

    // Quick appends give an event its sequence and timestamp in the database, after inline projections ran: the command
    // records where the subscription starts (the last event recorded before it) and when, and a rebuild folds the same.
    [Fact]
    public async Task A_subscription_starts_after_the_last_event_recorded_before_it_and_a_rebuild_agrees()
    {
        await Client.Register(Scenario.CareHome("订阅之前养老院", "530111"));
        var id = (await Subscribe(Subscription("https://example.org/hook", ["institution-registered"]))).ShouldBe(HttpStatusCode.Created).Id;

        await using var session = Fixture.Store.QuerySession();
        var events = await Marten.QueryableExtensions.ToListAsync(session.Events.QueryAllRawEvents());
        var registered = events.Single(e => e.Data is InstitutionRegistered);
        var created = events.Single(e => e.Data is WebhookSubscriptionCreated);
        var stored = (await session.LoadAsync<WebhookSubscription>(id))!;
        Assert.Equal(registered.Sequence, stored.FromSequence);
        Assert.True(stored.CreatedAt > registered.Timestamp && stored.CreatedAt <= created.Timestamp.AddSeconds(5), $"{stored.CreatedAt:O} vs {created.Timestamp:O}");
        var replayed = (await session.Events.AggregateStreamAsync<WebhookSubscription>(id))!;
        Assert.Equal((stored.FromSequence, stored.CreatedAt), (replayed.FromSequence, replayed.CreatedAt));
    }

    [Fact]
    public async Task Only_an_admin_covering_the_jurisdiction_manages_subscriptions()
    {
        var body = Subscription("https://example.org/hook", ["institution-registered"], "5301");
        foreach (var role in new[] { Role.Officer, Role.Inspector, Role.Auditor })
            (await Subscribe(body, Fixture.Tokens.For("not-admin", role == Role.Auditor ? null : Department.CivilAffairs, role, "00")))
                .ShouldBeProblem(HttpStatusCode.Forbidden);
        (await Subscribe(body, Admin("5001"))).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await Subscribe(Subscription("https://example.org/hook", ["institution-registered"], "00"), Admin("5301"))).ShouldBeProblem(HttpStatusCode.Forbidden);
        var id = (await Subscribe(body, Admin("53"))).ShouldBe(HttpStatusCode.Created).Id;
        (await Client.Post($"/api/admin/webhooks/{id}/pause", new { reason = "x" }, bearer: Admin("5001"))).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await Client.Post($"/api/admin/webhooks/{id}/pause", new { reason = "x" }, bearer: Fixture.Tokens.For("o", Department.Health, Role.Officer, "00")))
            .ShouldBeProblem(HttpStatusCode.Forbidden);
        using var officerRead = new HttpRequestMessage(HttpMethod.Get, $"/api/admin/webhooks/{id}");
        officerRead.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Fixture.Tokens.For("o", Department.Health, Role.Officer, "00"));
        Assert.Equal(HttpStatusCode.Forbidden, (await Client.SendAsync(officerRead)).StatusCode);
    }

    [Fact]
    public async Task A_generated_secret_is_answered_once_and_never_shown_or_recorded()
    {
        var created = (await Subscribe(Subscription("https://example.org/hook", ["institution-registered"], "5301", secret: null))).ShouldBe(HttpStatusCode.Created);
        var secret = created["secret"].GetValue<string>();
        Assert.True(secret.Length >= 32);
        var id = created.Id;
        Assert.Equal($"/api/admin/webhooks/{id}", created.Headers.Location!.OriginalString);
        var read = (await Client.Get($"/api/admin/webhooks/{id}")).ShouldBe(HttpStatusCode.OK);
        Assert.DoesNotContain(secret, read.Text);
        Assert.Equal(WebhookAccess.Fingerprint(secret), read["secretFingerprint"].GetValue<string>());
        Assert.Equal("active", read["status"].GetValue<string>());
        Assert.DoesNotContain(secret, (await Client.Get("/api/admin/webhooks")).ShouldBe(HttpStatusCode.OK).Text);
        Assert.DoesNotContain(secret, (await Client.Get("/api/audit/events")).ShouldBe(HttpStatusCode.OK).Text);
        Assert.DoesNotContain(secret, (await Client.Get($"/api/audit/streams/{id}")).ShouldBe(HttpStatusCode.OK).Text);
        // A given secret is not answered back.
        var given = (await Subscribe(Subscription("https://example.org/hook", ["institution-registered"]))).ShouldBe(HttpStatusCode.Created);
        Assert.Null(given.Body!["secret"]);

        (await Client.Post($"/api/admin/webhooks/{id}/pause", new { reason = "维护" })).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("paused", (await Client.Get($"/api/admin/webhooks/{id}"))["status"].GetValue<string>());
        (await Client.Post($"/api/admin/webhooks/{id}/resume", new { })).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/admin/webhooks/{id}/deletion", new { reason = "不再需要" })).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("deleted", (await Client.Get($"/api/admin/webhooks/{id}"))["status"].GetValue<string>());
        (await Client.Post($"/api/admin/webhooks/{id}/pause", new { })).ShouldBeProblem(HttpStatusCode.Conflict);
        var types = (await Client.Get($"/api/audit/streams/{id}")).ShouldBe(HttpStatusCode.OK).Body!.AsArray().Select(e => e!["event"]!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["webhook-subscription-created", "webhook-subscription-paused", "webhook-subscription-resumed", "webhook-subscription-deleted"], types);
    }

    // The types and the prefix filter; each delivery a signed CloudEvent that a receiver can verify.
    [Fact]
    public async Task Deliveries_are_signed_cloud_events_of_the_types_and_jurisdiction_subscribed()
    {
        await using var receiver = new Receiver(Secret).Start();
        var id = (await Subscribe(Subscription(receiver.Url, ["institution-registered", "institution-beds-changed"], "5301"))).ShouldBe(HttpStatusCode.Created).Id;

        var inside = await Client.Register(Scenario.CareHome("昆明推送养老院", "530111"));
        var outside = await Client.Register(Scenario.CareHome("重庆推送养老院", "500112"));
        (await Client.Post($"/api/institutions/{inside}/beds", new ChangeBeds(new DateOnly(2021, 1, 1), new BedsInput(ElderlyCare: 150), null))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{outside}/beds", new ChangeBeds(new DateOnly(2021, 1, 1), new BedsInput(ElderlyCare: 150), null))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{inside}/closure", new CloseInstitution(new DateOnly(2024, 1, 1), "停业"))).ShouldBe(HttpStatusCode.OK);

        var accepted = await receiver.UntilAcceptedAsync(2, TimeSpan.FromSeconds(60));
        await Fixture.Projected();
        await WaitAsync(async () => (await Client.Get($"/api/admin/webhooks/{id}"))["deliveries"]!["pending"]!.GetValue<int>() == 0);

        await using var session = Fixture.Store.QuerySession();
        var expected = (await Marten.QueryableExtensions.ToListAsync(session.Events.QueryAllRawEvents().Where(e => e.StreamId == inside)))
            .Where(e => HistoryEntry.EventType(e.EventType) is "institution-registered" or "institution-beds-changed")
            .OrderBy(e => e.Sequence).ToList();
        Assert.Equal(expected.Select(e => e.Sequence.ToString()), accepted.Select(r => r.Id));
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid, $"signature of {r.Id}: {r.Signature}"));
        Assert.All(accepted, r => Assert.Equal(inside.ToString(), r.Subject));
        Assert.Equal(["cn.careregistry.institution-registered", "cn.careregistry.institution-beds-changed"], accepted.Select(r => r.Type));

        var envelope = JsonNode.Parse(accepted[0].Body)!.AsObject();
        Assert.Equal("1.0", envelope["specversion"]!.GetValue<string>());
        Assert.Equal("application/json", envelope["datacontenttype"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(envelope["source"]!.GetValue<string>()));
        var data = envelope["data"]!.AsObject();
        Assert.Equal("institution-registered", data["type"]!.GetValue<string>());
        Assert.Equal(expected[0].Sequence, data["sequence"]!.GetValue<long>());
        Assert.Equal("昆明推送养老院", data["data"]!["name"]!.GetValue<string>());
        // The data is the event as the audit feed serialises it.
        var feed = (await Client.Get($"/api/audit/events?after={expected[0].Sequence - 1}&limit=1")).ShouldBe(HttpStatusCode.OK)["items"][0]!;
        Assert.True(JsonNode.DeepEquals(feed, data), $"{feed.ToJsonString()}\n{data.ToJsonString()}");

        // A tampered body or another secret fails the receiver's check.
        Assert.False(Receiver.Verify(Secret, [.. accepted[0].Body, (byte)' '], accepted[0].Signature));
        Assert.False(Receiver.Verify(Secret + "x", accepted[0].Body, accepted[0].Signature));

        var deliveries = (await Client.Get($"/api/admin/webhooks/{id}/deliveries")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal("delivered", d!["status"]!.GetValue<string>()));
        (await Client.Get($"/api/admin/webhooks/{id}/deliveries?status=sideways")).ShouldBeProblem(HttpStatusCode.BadRequest, "status");
    }

    [Fact]
    public async Task A_failing_receiver_parks_the_delivery_and_holds_its_stream_until_an_admin_replays_it()
    {
        var options = Fixture.Host.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var (attempts, first) = (options.MaxAttempts, options.FirstRetrySeconds);
        options.MaxAttempts = 2;
        options.FirstRetrySeconds = 0.2;
        try
        {
            await using var receiver = new Receiver(Secret, _ => 500).Start();
            var id = (await Subscribe(Subscription(receiver.Url, ["institution-registered", "institution-beds-changed"], "5301"))).ShouldBe(HttpStatusCode.Created).Id;
            var home = await Client.Register(Scenario.CareHome("停放测试养老院", "530111"));
            (await Client.Post($"/api/institutions/{home}/beds", new ChangeBeds(new DateOnly(2021, 1, 1), new BedsInput(ElderlyCare: 150), null))).ShouldBe(HttpStatusCode.OK);

            JsonArray Parked(Answer a) => a["items"].AsArray();
            await WaitAsync(async () => Parked(await Client.Get($"/api/admin/webhooks/{id}/deliveries?status=parked")).Count == 2);
            var parked = Parked(await Client.Get($"/api/admin/webhooks/{id}/deliveries?status=parked"));
            Assert.Equal(2, parked[0]!["attempts"]!.GetValue<int>());
            Assert.Contains("500", parked[0]!["lastError"]!.GetValue<string>());
            // The second event of the stream was never sent: it is held behind the first (order per stream).
            Assert.Equal(parked[0]!["sequence"]!.GetValue<long>(), parked[1]!["heldBehind"]!.GetValue<long>());
            Assert.Equal(0, parked[1]!["attempts"]!.GetValue<int>());
            Assert.Equal(2, (await Client.Get($"/api/admin/webhooks/{id}"))["deliveries"]!["parked"]!.GetValue<int>());
            Assert.Equal(2, receiver.Requests.Count);

            receiver.Answer = _ => 200;
            (await Client.Post($"/api/admin/webhooks/{id}/replay", new { sequence = parked[1]!["sequence"]!.GetValue<long>() + 1000 })).ShouldBeProblem(HttpStatusCode.NotFound);
            (await Client.Post($"/api/admin/webhooks/{id}/replay", new { })).ShouldBeProblem(HttpStatusCode.BadRequest, "sequence");
            (await Client.Post($"/api/admin/webhooks/{id}/replay", new { sequence = parked[0]!["sequence"]!.GetValue<long>() })).ShouldBe(HttpStatusCode.OK);
            var accepted = await receiver.UntilAcceptedAsync(2, TimeSpan.FromSeconds(60));
            Assert.Equal(parked.Select(p => p!["sequence"]!.GetValue<long>().ToString()), accepted.Select(a => a.Id));
            (await Client.Post($"/api/admin/webhooks/{id}/replay", new { sequence = parked[0]!["sequence"]!.GetValue<long>() })).ShouldBeProblem(HttpStatusCode.Conflict);
        }
        finally
        {
            (options.MaxAttempts, options.FirstRetrySeconds) = (attempts, first);
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(60)) throw new Xunit.Sdk.XunitException("the condition did not hold within 60 s");
            await Task.Delay(100);
        }
    }
}
