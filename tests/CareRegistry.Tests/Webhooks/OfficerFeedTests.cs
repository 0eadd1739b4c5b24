using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CareRegistry.Common;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Webhooks;

// The audit feed for other departments' officers: each reads the events of their own jurisdiction, never another's.
public class OfficerFeedTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private async Task<(System.Net.HttpStatusCode Status, string Text)> Read(string url, string token, bool ndjson = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (ndjson) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static List<JsonNode> Lines(string ndjson) =>
        ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

    [Fact]
    public async Task An_officer_reads_only_the_events_of_their_own_jurisdiction_and_resumes_from_after()
    {
        var kunming = await Client.Register(Scenario.CareHome("昆明馈送养老院", "530111"));
        var hospital = await Client.Register(Scenario.Hospital("昆明馈送医院", "530102"));
        var chongqing = await Client.Register(Scenario.CareHome("重庆馈送养老院", "500112"));
        (await Client.Submit(kunming, PermitType.ElderlyCare, new DateOnly(2016, 1, 1))).ShouldBe(HttpStatusCode.Accepted);
        (await Client.Submit(chongqing, PermitType.ElderlyCare, new DateOnly(2016, 1, 1))).ShouldBe(HttpStatusCode.Accepted);
        // An agreement between a Kunming and a Chongqing institution is seen from both sides.
        var crossing = (await Client.Post("/api/partnerships", new CareRegistry.Partnerships.SignPartnership(CareRegistry.Partnerships.PartnershipKind.CareMedical,
            [chongqing, hospital], [CareRegistry.Partnerships.PartnershipService.ScheduledVisits], new DateOnly(2021, 1, 1), new DateOnly(2023, 12, 31))))
            .ShouldBe(HttpStatusCode.Created).Id;
        await Client.Regime("50", PermitType.ElderlyCare, Regime.Filing, new DateOnly(2019, 1, 1));
        await Client.Regime("53", PermitType.ElderlyCare, Regime.Filing, new DateOnly(2019, 1, 1));

        var all = Lines((await Read("/api/audit/events?limit=500", Fixture.Tokens.For("auditor", null, Role.Auditor), ndjson: true)).Text);
        var kunmingStreams = new HashSet<Guid> { kunming, hospital };
        var chongqingStreams = new HashSet<Guid> { chongqing };
        foreach (var e in all.Where(e => e["type"]!.GetValue<string>() == "permit-application-submitted"))
            (e["data"]!["institutionId"]!.GetValue<Guid>() == kunming ? kunmingStreams : chongqingStreams).Add(e["streamId"]!.GetValue<Guid>());

        var officer = Fixture.Tokens.For("yunnan-officer", Department.MedicalInsurance, Role.Officer, "5301");
        var seen = Lines((await Read("/api/audit/events?limit=500", officer, ndjson: true)).Text);
        var mine = all.Where(e => kunmingStreams.Contains(e["streamId"]!.GetValue<Guid>()) || e["streamId"]!.GetValue<Guid>() == crossing
                                  || e["type"]!.GetValue<string>() == "regime-changed" && e["data"]!["jurisdiction"]!.GetValue<string>() == "53")
            .Select(e => e["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(mine, seen.Select(e => e["sequence"]!.GetValue<long>()));
        Assert.DoesNotContain(seen, e => chongqingStreams.Contains(e["streamId"]!.GetValue<Guid>()));
        Assert.DoesNotContain(seen, e => e.ToJsonString().Contains("重庆馈送养老院"));

        // JSON pages resume from next; the same events, nothing of Chongqing.
        var paged = new List<long>();
        string? after = "0";
        while (after is not null)
        {
            var page = JsonNode.Parse((await Read($"/api/audit/events?after={after}&limit=2", officer)).Text)!;
            paged.AddRange(page["items"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>()));
            after = page["next"]?.GetValue<long>().ToString();
            if (page["items"]!.AsArray().Count == 0) break;
        }
        Assert.Equal(mine, paged);
        var resumed = Lines((await Read($"/api/audit/events?after={mine[1]}", officer, ndjson: true)).Text);
        Assert.Equal(mine.Skip(2), resumed.Select(e => e["sequence"]!.GetValue<long>()));

        // Narrower inside their own: fine; wider or elsewhere: 403.
        var district = Lines((await Read("/api/audit/events?jurisdiction=530111", officer, ndjson: true)).Text);
        Assert.All(district, e => Assert.True(e["streamId"]!.GetValue<Guid>() != hospital));
        Assert.Equal(HttpStatusCode.Forbidden, (await Read("/api/audit/events?jurisdiction=50", officer)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Read("/api/audit/events?jurisdiction=53", officer)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Read("/api/audit/events", Fixture.Tokens.For("i", Department.Health, Role.Inspector, "5301"))).Status);

        // Chongqing's officer sees Chongqing's and the crossing agreement, none of Kunming's own.
        var other = Lines((await Read("/api/audit/events?limit=500", Fixture.Tokens.For("cq", Department.CivilAffairs, Role.Officer, "50"), ndjson: true)).Text);
        Assert.DoesNotContain(other, e => kunmingStreams.Contains(e["streamId"]!.GetValue<Guid>()));
        Assert.Contains(other, e => e["streamId"]!.GetValue<Guid>() == crossing);
        Assert.Contains(other, e => e["streamId"]!.GetValue<Guid>() == chongqing);
    }
}
