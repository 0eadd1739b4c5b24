using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Disclosure;

// 公示 without sign-in: only public fields, decisions for three years, cached with ETags, rate-limited per address.
public class PublicListTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private sealed record World(Guid Filed, Guid Revoked, Guid Hospital, Guid Finding);

    // Home A filed and warned (and a warning retracted); home B filed, then its filing revoked as a penalty; a hospital
    // designated by medical insurance and fined twice, once more than three years ago; an undecided finding on A.
    private async Task<World> BuildWorld()
    {
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        var a = await Client.Register(Scenario.CareHome("公示甲养老院", "530111"));
        var b = await Client.Register(Scenario.CareHome("公示乙养老院", "530112"));
        var hospital = await Client.Register(Scenario.Hospital("公示丙医院", "530111"));
        (await Client.Submit(a, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        var filingB = (await Client.Submit(b, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created).Id;
        var licence = (await Client.Submit(hospital, PermitType.MedicalPractice, D(2010, 1, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await Client.Grant(hospital, licence, D(2010, 2, 1), D(2035, 12, 31))).ShouldBe(HttpStatusCode.OK);
        var designation = (await Client.Submit(hospital, PermitType.InsuranceDesignation, D(2019, 10, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await Client.Grant(hospital, designation, D(2020, 1, 1))).ShouldBe(HttpStatusCode.OK);

        var inspection = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [a], [Department.CivilAffairs], ["内部检查员"], D(2025, 3, 1))))
            .ShouldBe(HttpStatusCode.Created).Id;
        var finding = (await Client.Post($"/api/inspections/{inspection}/findings", new RecordFinding(a, FindingCategory.FireSafety, Severity.Major, 4,
            "尚未决定的内部发现", D(2025, 6, 1), D(2025, 3, 1)))).ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();

        (await Client.Post($"/api/institutions/{a}/enforcement", new RecordEnforcement(EnforcementAction.Warning, null, null, "《养老机构管理办法》第四十六条", D(2025, 6, 1), finding)))
            .ShouldBe(HttpStatusCode.OK);
        var mistaken = (await Client.Post($"/api/institutions/{a}/enforcement", new RecordEnforcement(EnforcementAction.Warning, null, null, "记错的警告", D(2025, 7, 1), null)))
            .ShouldBe(HttpStatusCode.OK);
        (await Client.Post("/api/corrections", new RetractEntry(a, mistaken.Version, "内部更正说明"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{b}/enforcement", new RecordEnforcement(EnforcementAction.PermitRevocation, filingB, null, "《养老机构管理办法》第四十七条", D(2024, 5, 1), null)))
            .ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{hospital}/enforcement", new RecordEnforcement(EnforcementAction.Fine, null, 5000m, "《医疗机构管理条例》第四十六条", D(2021, 1, 4), null)))
            .ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{hospital}/enforcement", new RecordEnforcement(EnforcementAction.Fine, null, 20000m, "《医疗保障基金使用监督管理条例》第三十八条", D(2025, 9, 1), null)))
            .ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        return new World(a, b, hospital, finding);
    }

    private static readonly HashSet<string> InstitutionFields =
    [
        "id", "name", "latinName", "uscc", "kind", "medicalSubtype", "grade", "ownership", "operator", "jurisdiction", "address", "beds",
        "totalBeds", "permitId", "permitType", "regime", "permitNumber", "inForceSince", "expiresOn",
    ];

    private static readonly HashSet<string> BedFields = ["elderlyCare", "medical", "nursing", "rehabilitation", "hospice", "total"];

    private static readonly HashSet<string> DecisionFields =
    [
        "id", "institutionId", "institutionName", "uscc", "jurisdiction", "action", "permitType", "amount", "basis", "decidedOn", "publicUntil", "department",
    ];

    [Fact]
    public async Task Public_lists_carry_only_allowed_fields_and_the_decisions_of_the_last_three_years()
    {
        var w = await BuildWorld();
        var address = PublicClient.NewAddress();
        var care = await Fixture.Public("/public/care-institutions", address);
        var designated = await Fixture.Public("/public/insurance-designated", address);
        var decisions = await Fixture.Public("/public/enforcement-decisions", address);

        foreach (var item in care.Items().Concat(designated.Items()))
        {
            Assert.Subset(InstitutionFields, item!.AsObject().Select(p => p.Key).ToHashSet());
            Assert.Subset(BedFields, item["beds"]!.AsObject().Select(p => p.Key).ToHashSet());
        }
        foreach (var item in decisions.Items())
            Assert.Subset(DecisionFields, item!.AsObject().Select(p => p.Key).ToHashSet());
        // Nothing internal anywhere in the text: users, inspectors, findings, correction notes.
        foreach (var text in new[] { care.ReadAsText(), designated.ReadAsText(), decisions.ReadAsText() })
            foreach (var secret in new[] { "test-", "内部", w.Finding.ToString(), "记错", "recorded", "user" })
                Assert.DoesNotContain(secret, text);

        var home = Assert.Single(care.Items());
        Assert.Equal(w.Filed, home!["id"]!.GetValue<Guid>());
        Assert.Equal(100, home["beds"]!["elderlyCare"]!.GetValue<int>());
        Assert.Equal(120, home["totalBeds"]!.GetValue<int>());
        Assert.Equal("filing", home["regime"]!.GetValue<string>());
        Assert.Equal("2019-01-01", home["inForceSince"]!.GetValue<string>());

        var hospital = Assert.Single(designated.Items());
        Assert.Equal(w.Hospital, hospital!["id"]!.GetValue<Guid>());
        Assert.Equal(2, hospital["grade"]!.GetValue<int>());

        var items = decisions.Items().Select(i => (Institution: i!["institutionId"]!.GetValue<Guid>(), Action: i["action"]!.GetValue<string>(),
            On: i["decidedOn"]!.GetValue<string>())).ToList();
        // Newest recorded first; the 2021 fine is past its three years and the retracted warning is gone.
        Assert.Equal([(w.Hospital, "fine", "2025-09-01"), (w.Revoked, "permit-revocation", "2024-05-01"), (w.Filed, "warning", "2025-06-01")], items);
        var revocation = decisions.Items().Single(i => i!["action"]!.GetValue<string>() == "permit-revocation")!;
        Assert.Equal("elderly-care", revocation["permitType"]!.GetValue<string>());
        Assert.Equal("2027-05-01", revocation["publicUntil"]!.GetValue<string>());
        Assert.Equal(20000m, decisions.Items().Single(i => i!["action"]!.GetValue<string>() == "fine")!["amount"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Public_lists_filter_by_jurisdiction_and_text_and_page_with_a_cursor()
    {
        await BuildWorld();
        var address = PublicClient.NewAddress();
        Assert.Single((await Fixture.Public("/public/enforcement-decisions?jurisdiction=530112", address)).Items());
        Assert.Single((await Fixture.Public($"/public/enforcement-decisions?q={Uri.EscapeDataString("丙医院")}", address)).Items());
        Assert.Empty((await Fixture.Public("/public/care-institutions?jurisdiction=530112", address)).Items());
        Assert.Empty((await Fixture.Public($"/public/insurance-designated?q={Uri.EscapeDataString("养老")}", address)).Items());
        Assert.Equal(400, (await Fixture.Public("/public/care-institutions?jurisdiction=530199", address)).Context.Response.StatusCode);

        var first = await Fixture.Public("/public/enforcement-decisions?limit=2", address);
        var next = JsonNode.Parse(first.ReadAsText())!["next"]!.GetValue<string>();
        var second = await Fixture.Public($"/public/enforcement-decisions?limit=2&cursor={next}", address);
        Assert.Equal(2, first.Items().Count);
        var rest = Assert.Single(second.Items());
        Assert.DoesNotContain(rest!["id"]!.GetValue<string>(), first.Items().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Null(JsonNode.Parse(second.ReadAsText())!["next"]);
    }

    [Fact]
    public async Task A_list_answers_304_to_its_ETag_and_a_new_one_after_a_change()
    {
        await BuildWorld();
        var address = PublicClient.NewAddress();
        var first = await Fixture.Public("/public/care-institutions", address);
        var headers = first.Context.Response.Headers;
        var etag = headers.ETag.ToString();
        Assert.StartsWith("\"", etag);
        Assert.Contains("public", headers.CacheControl.ToString());
        Assert.Contains("max-age=", headers.CacheControl.ToString());
        Assert.False(string.IsNullOrEmpty(headers.LastModified.ToString()));

        var again = await Fixture.Public("/public/care-institutions", address, ifNoneMatch: etag);
        Assert.Equal(304, again.Context.Response.StatusCode);
        Assert.Equal(etag, again.Context.Response.Headers.ETag.ToString());
        Assert.Equal("", again.ReadAsText());

        var c = await Client.Register(Scenario.CareHome("公示丁养老院", "530111"));
        (await Client.Submit(c, PermitType.ElderlyCare, D(2020, 1, 1))).ShouldBe(HttpStatusCode.Created);
        await Fixture.Projected();
        var changed = await Fixture.Public("/public/care-institutions", address, ifNoneMatch: etag);
        Assert.Equal(2, changed.Items().Count);
        Assert.NotEqual(etag, changed.Context.Response.Headers.ETag.ToString());
    }

    [Fact]
    public async Task A_burst_from_one_address_is_refused_with_429_and_Retry_After_while_others_go_on()
    {
        var address = PublicClient.NewAddress();
        var statuses = new List<int>();
        Microsoft.AspNetCore.Http.HttpContext? refused = null;
        for (var n = 0; n < 70; n++)
        {
            var answer = await Fixture.Public("/public/enforcement-decisions?limit=1", address);
            statuses.Add(answer.Context.Response.StatusCode);
            if (answer.Context.Response.StatusCode == 429) refused ??= answer.Context;
        }
        Assert.Equal(60, statuses.Count(s => s == 200));
        Assert.Equal(10, statuses.Count(s => s == 429));
        Assert.True(int.Parse(refused!.Response.Headers.RetryAfter.ToString()) is >= 1 and <= 60);
        Assert.Equal(200, (await Fixture.Public("/public/enforcement-decisions?limit=1", PublicClient.NewAddress())).Context.Response.StatusCode);
        // Signed-in routes are not limited by it.
        (await Client.Get("/api/institutions")).ShouldBe(HttpStatusCode.OK);
    }
}
