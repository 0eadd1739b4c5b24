using System.Net;
using System.Net.Http.Json;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CareRegistry.Tests.Institutions;

public class SearchAndHistoryTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private async Task<List<string>> Names(string query)
    {
        var page = (await Client.Get($"/api/institutions?{query}")).ShouldBe(HttpStatusCode.OK);
        return page["items"].AsArray().Select(i => i!["name"]!.GetValue<string>()).ToList();
    }

    [Fact]
    public async Task Search_finds_chinese_and_latin_substrings_and_uscc()
    {
        var guangfu = Scenario.CareHome("广福养老中心", "530112") with { LatinName = "Guangfu Elderly Care Centre" };
        await Client.Register(guangfu);
        await Client.Register(Scenario.CareHome("观音山养老中心", "530112"));
        await Client.Register(Scenario.Hospital("昆明广福医院", "530112"));

        Assert.Equal(["广福养老中心"], await Names("q=" + Uri.EscapeDataString("广福养老")));
        Assert.Equal(2, (await Names("q=" + Uri.EscapeDataString("养老"))).Count);
        Assert.Equal(2, (await Names("q=" + Uri.EscapeDataString("广福"))).Count);
        Assert.Equal(["广福养老中心"], await Names("q=guangfu%20elderly"));
        Assert.Equal(["广福养老中心"], await Names("q=" + guangfu.Uscc!.ToLowerInvariant()));
        Assert.Equal(3, (await Names("q=" + guangfu.Uscc![..12])).Count);
    }

    // Two characters have no trigram: the pairs index answers them, and must answer what ILIKE '%q%' does: any case,
    // wildcards taken literally, every match in id order and paged the same way.
    [Fact]
    public async Task A_two_character_search_finds_what_a_substring_match_finds_in_id_order()
    {
        await Client.Register(Scenario.CareHome("双字松鹤养老院", "530112") with { LatinName = "Songhe Care Home" });
        await Client.Register(Scenario.CareHome("双字鹤松敬老院", "530112"));
        await Client.Register(Scenario.Hospital("双字松鹤医院", "530111"));
        await Client.Register(Scenario.CareHome("双字100%养老院", "530112"));

        Assert.Equal(["双字松鹤养老院", "双字松鹤医院"], await Names("q=" + Uri.EscapeDataString("松鹤")));
        Assert.Equal(["双字鹤松敬老院"], await Names("q=" + Uri.EscapeDataString(" 鹤松 ")));
        Assert.Equal(["双字松鹤养老院"], await Names("q=sO"));
        Assert.Equal(["双字100%养老院"], await Names("q=" + Uri.EscapeDataString("0%")));
        Assert.Empty(await Names("q=" + Uri.EscapeDataString("_养")));
        Assert.Equal(["双字松鹤养老院"], await Names("q=" + Uri.EscapeDataString("松鹤") + "&jurisdiction=530112"));
        Assert.Equal(["双字松鹤养老院"], await Names("q=" + Uri.EscapeDataString("松鹤养")));
        Assert.Equal(4, (await Names("q=" + Uri.EscapeDataString("双"))).Count);

        // Paged one at a time: the same institutions in the same order as one page.
        var paged = new List<string>();
        string? cursor = null;
        do
        {
            var page = (await Client.Get("/api/institutions?limit=1&q=" + Uri.EscapeDataString("双字") + (cursor is null ? "" : "&cursor=" + cursor))).ShouldBe(HttpStatusCode.OK);
            paged.AddRange(page["items"].AsArray().Select(i => i!["name"]!.GetValue<string>()));
            cursor = page.Body?["next"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(["双字松鹤养老院", "双字鹤松敬老院", "双字松鹤医院", "双字100%养老院"], paged);
        Assert.Equal(paged, await Names("q=" + Uri.EscapeDataString("双字")));
    }

    // A fragment's page is read from the trigram index's matches when they are few (sorted by the service) and planned
    // by PostgreSQL when they are more or the fragment has two characters: each way must give the same institutions in
    // the same (id) order. The first one registered is changed last, so its row is the last in the table and the index's
    // matches come unsorted.
    [Fact]
    public async Task A_page_read_from_the_index_matches_first_is_the_page_postgresql_plans()
    {
        var first = await Client.Register(Scenario.CareHome("松鹤园养老院甲", "530112"));
        var second = await Client.Register(Scenario.CareHome("松鹤园养老院乙", "530111"));
        var third = await Client.Register(Scenario.Hospital("松鹤园医院丙", "530112"));
        var fourth = await Client.Register(Scenario.CareHome("松鹤园养老院丁", "530112"));
        await Client.Register(Scenario.CareHome("观音山养老院", "530112"));
        (await Client.Post($"/api/institutions/{first}/beds", new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 9), null)))
            .ShouldBe(HttpStatusCode.OK);

        await using var session = Fixture.Store.QuerySession();
        var unprepared = Fixture.Host.Services.GetRequiredService<UnpreparedConnections>();
        async Task<List<Guid>> Page(string q, string prefix, Guid? after, int count, bool fromIndex, int matchesFirst)
        {
            var query = SearchInstitutionsEndpoint.Matching(session.Query<Institution>(), q, prefix);
            if (after is { } a) query = query.WhereSql("d.id > ?", a);
            return await SearchInstitutionsEndpoint.PageIdsAsync(query, q, count, unprepared, CancellationToken.None, fromIndex, matchesFirst);
        }
        async Task Same(string q, string prefix, Guid? after, int count, Guid[] expected)
        {
            Assert.Equal(expected, await Page(q, prefix, after, count, fromIndex: true, matchesFirst: 100));
            Assert.Equal(expected, await Page(q, prefix, after, count, fromIndex: true, matchesFirst: 1));
            Assert.Equal(expected, await Page(q, prefix, after, count, fromIndex: false, matchesFirst: 100));
        }

        await Same("松鹤园养老", "", null, 10, [first, second, fourth]);
        await Same("松鹤园", "", null, 10, [first, second, third, fourth]);
        await Same("松鹤", "", null, 10, [first, second, third, fourth]);
        await Same("松鹤园", "", null, 2, [first, second]);
        await Same("松鹤园", "", second, 10, [third, fourth]);
        await Same("松鹤园养老", "530112", null, 10, [first, fourth]);
        await Same("不存在的", "", null, 10, []);
    }

    [Fact]
    public async Task Search_filters_by_jurisdiction_prefix_and_kind()
    {
        await Client.Register(Scenario.CareHome("官渡一", "530111"));
        await Client.Register(Scenario.CareHome("西山一", "530112"));
        await Client.Register(Scenario.Hospital("西山医院", "530112"));
        await Client.Register(Scenario.CareHome("渝北一", "500112"));

        Assert.Equal(3, (await Names("jurisdiction=53")).Count);
        Assert.Equal(3, (await Names("jurisdiction=5301")).Count);
        Assert.Equal(["西山一", "西山医院"], await Names("jurisdiction=530112"));
        Assert.Equal(4, (await Names("jurisdiction=00")).Count);
        Assert.Equal(["西山医院"], await Names("kind=medical"));
        Assert.Equal(["西山一"], await Names("jurisdiction=530112&kind=elderly-care"));
    }

    [Fact]
    public async Task Cursor_paging_visits_every_institution_once_while_new_ones_arrive()
    {
        for (var i = 0; i < 7; i++) await Client.Register(Scenario.CareHome($"养老院{i}"));

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await Client.Get("/api/institutions?limit=3" + (cursor is null ? "" : $"&cursor={cursor}"))).ShouldBe(HttpStatusCode.OK);
            seen.AddRange(page["items"].AsArray().Select(i => i!["name"]!.GetValue<string>()));
            cursor = page.Body!["next"]?.GetValue<string>();
            if (pages++ == 0) await Client.Register(Scenario.CareHome("养老院7"));
        } while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"养老院{i}"), seen);
    }

    [Fact]
    public async Task An_institution_read_before_it_was_established_says_so_and_search_on_that_day_leaves_it_out()
    {
        var id = await Client.Register(Scenario.CareHome("新建养老院", establishedOn: new DateOnly(2020, 1, 1)));
        Assert.Equal("not-yet-established", (await Client.Get($"/api/institutions/{id}?asOf=2019-12-31"))["status"].GetValue<string>());
        Assert.Equal("operating", (await Client.Get($"/api/institutions/{id}?asOf=2020-01-01"))["status"].GetValue<string>());
        Assert.Empty(await Names("asOf=2019-12-31"));
        Assert.Equal(["新建养老院"], await Names("asOf=2020-01-01"));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=%%%", "cursor")]
    [InlineData("cursor=bm90LWEtZ3VpZA", "cursor")]
    [InlineData("jurisdiction=531", "jurisdiction")]
    [InlineData("kind=hospital", "kind")]
    public async Task Bad_search_parameters_are_400_problems(string query, string field) =>
        (await Client.Get($"/api/institutions?{query}")).ShouldBeProblem(HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task History_lists_every_event_with_who_when_and_what()
    {
        var id = await Client.Register(Scenario.CareHome());
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/api/institutions/{id}/beds"))
        {
            request.Content = JsonContent.Create(new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 200), "扩建"), options: Json.Options);
            request.Headers.Add("X-Correlation-Id", "corr-42");
            (await Client.SendAsync(request)).EnsureSuccessStatusCode();
        }
        await Client.Post($"/api/institutions/{id}/closure", new CloseInstitution(new DateOnly(2024, 1, 1), "停业"));

        var history = (await Client.Get($"/api/institutions/{id}/history")).ShouldBe(HttpStatusCode.OK);
        var items = history["items"].AsArray();
        Assert.Equal(["institution-registered", "institution-beds-changed", "institution-closed"], items.Select(i => i!["type"]!.GetValue<string>()));
        Assert.Equal([1L, 2L, 3L], items.Select(i => i!["version"]!.GetValue<long>()));
        var bedsChanged = items[1]!;
        Assert.Equal("2020-01-01", bedsChanged["effectiveOn"]!.GetValue<string>());
        Assert.Equal("corr-42", bedsChanged["correlationId"]!.GetValue<string>());
        Assert.Equal("test-civil-affairs", bedsChanged["user"]!.GetValue<string>());
        Assert.Equal("civil-affairs", bedsChanged["department"]!.GetValue<string>());
        Assert.Equal("officer", bedsChanged["role"]!.GetValue<string>());
        Assert.NotNull(bedsChanged["recordedAt"]);
        Assert.Contains("200", bedsChanged["summary"]!.GetValue<string>());
        Assert.Equal(200, bedsChanged["data"]!["beds"]!["elderlyCare"]!.GetValue<int>());

        var firstPage = (await Client.Get($"/api/institutions/{id}/history?limit=2")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(2, firstPage["items"].AsArray().Count);
        var rest = await Client.Get($"/api/institutions/{id}/history?limit=2&cursor={firstPage["next"].GetValue<string>()}");
        Assert.Equal("institution-closed", Assert.Single(rest["items"].AsArray())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task History_as_recorded_by_an_instant_leaves_out_later_entries_and_later_retractions()
    {
        var id = await Client.Register(Scenario.CareHome());
        var beds = (await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 200), "扩建")))
            .ShouldBe(HttpStatusCode.OK);
        await Task.Delay(50);
        var before = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        await Task.Delay(50);
        (await Client.Post("/api/corrections", new CareRegistry.Audit.RetractEntry(id, beds.Version, "床位数录入错误"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{id}/closure", new CloseInstitution(new DateOnly(2024, 1, 1), "停业"))).ShouldBe(HttpStatusCode.OK);

        var now = (await Client.Get($"/api/institutions/{id}/history?order=recorded")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        Assert.Equal(["institution-registered", "institution-beds-changed", "entry-retracted", "institution-closed"], now.Select(i => i!["type"]!.GetValue<string>()));
        Assert.NotNull(now[1]!["retractedBy"]);

        var then = (await Client.Get($"/api/institutions/{id}/history?order=recorded&recordedAsOf={before}")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        Assert.Equal(["institution-registered", "institution-beds-changed"], then.Select(i => i!["type"]!.GetValue<string>()));
        Assert.Null(then[1]!["retractedBy"]);
        (await Client.Get($"/api/institutions/{id}/history?recordedAsOf=2000-01-01T00:00:00Z")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Get($"/api/institutions/{id}/history?recordedAsOf=soon")).ShouldBeProblem(HttpStatusCode.BadRequest, "recordedAsOf");
    }

    [Fact]
    public async Task History_continues_into_the_predecessor_when_asked()
    {
        var old = await Client.Register(Scenario.CareHome("旧法人养老院"));
        await Client.Post($"/api/institutions/{old}/closure", new CloseInstitution(new DateOnly(2020, 12, 31), "re-registered as a new legal entity"));
        var successor = await Client.Register(Scenario.CareHome("新法人养老院", predecessorId: old, establishedOn: new DateOnly(2021, 1, 1)));

        var own = (await Client.Get($"/api/institutions/{successor}/history"))["items"].AsArray();
        Assert.Single(own);
        var all = (await Client.Get($"/api/institutions/{successor}/history?includePredecessors=true"))["items"].AsArray();
        Assert.Equal([old, old, successor], all.Select(i => Guid.Parse(i!["streamId"]!.GetValue<string>())));

        var oldView = await Client.Get($"/api/institutions/{old}");
        Assert.Equal(successor, Guid.Parse(Assert.Single(oldView["successorIds"].AsArray())!.GetValue<string>()));
        (await Client.Get($"/api/institutions/{successor}/history?includePredecessors=maybe")).ShouldBeProblem(HttpStatusCode.BadRequest, "includePredecessors");
    }

    // Histories are cut from the event table by the institutions each event concerns: an agreement's and a joint
    // inspection's shared entries show under both parties, a finding and its retraction only under the institution found
    // against; as recorded before the retraction, the finding stands unmarked and still counts in the institution view.
    [Fact]
    public async Task Shared_streams_file_each_entry_under_the_institutions_it_concerns_and_a_later_retraction_is_not_shown_before_it()
    {
        var home = await Client.Register(Scenario.CareHome("共管养老院"));
        var hospital = await Client.Register(Scenario.Hospital("共管医院"));
        (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [home, hospital],
            [PartnershipService.ScheduledVisits], new DateOnly(2020, 1, 1), new DateOnly(2030, 12, 31)))).ShouldBe(HttpStatusCode.Created);
        var opened = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Joint, [home, hospital],
            [Department.Health, Department.CivilAffairs], ["王检查"], new DateOnly(2023, 3, 1)))).ShouldBe(HttpStatusCode.Created);
        var finding = (await Client.Post($"/api/inspections/{opened.Id}/findings", new RecordFinding(hospital, FindingCategory.DrugUse, Severity.Major, 4,
            "药品记录不全", new DateOnly(2023, 4, 1), new DateOnly(2023, 3, 1)))).ShouldBe(HttpStatusCode.Created);
        await Task.Delay(50);
        var before = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        await Task.Delay(50);
        (await Client.Post("/api/corrections", new CareRegistry.Audit.RetractEntry(opened.Id, finding["version"].GetValue<long>(), "记错了机构"))).ShouldBe(HttpStatusCode.OK);

        async Task<List<string>> Types(Guid id, string query = "") =>
            (await Client.Get($"/api/institutions/{id}/history?order=recorded{query}")).ShouldBe(HttpStatusCode.OK)["items"].AsArray()
                .Select(i => i!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["institution-registered", "partnership-signed", "inspection-opened"], await Types(home));
        Assert.Equal(["institution-registered", "partnership-signed", "inspection-opened", "finding-recorded", "entry-retracted"], await Types(hospital));
        Assert.Equal(["institution-registered", "partnership-signed", "inspection-opened", "finding-recorded"], await Types(hospital, $"&recordedAsOf={before}"));

        var now = (await Client.Get($"/api/institutions/{hospital}/history?order=recorded")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        var mark = now[3]!["retractedBy"]!;
        Assert.Equal(finding["version"].GetValue<long>() + 1, mark["version"]!.GetValue<long>());
        Assert.Equal("记错了机构", mark["reason"]!.GetValue<string>());
        Assert.Equal(now[4]!["recordedAt"]!.GetValue<string>(), mark["recordedAt"]!.GetValue<string>());
        var then = (await Client.Get($"/api/institutions/{hospital}/history?order=recorded&recordedAsOf={before}")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        Assert.Null(then[3]!["retractedBy"]);

        // The institution view as recorded then folds the agreement and the inspection as they stood: the finding counts.
        var viewThen = (await Client.Get($"/api/institutions/{hospital}?asOf=2023-03-10&recordedAsOf={before}")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(4, viewThen["demeritPoints"].GetValue<int>());
        Assert.Single(viewThen["inspections"].AsArray());
        Assert.Single(viewThen["activePartnerships"].AsArray());
        Assert.Equal(0, (await Client.Get($"/api/institutions/{hospital}?asOf=2023-03-10")).ShouldBe(HttpStatusCode.OK)["demeritPoints"].GetValue<int>());
        var homeThen = (await Client.Get($"/api/institutions/{home}?asOf=2023-03-10&recordedAsOf={before}")).ShouldBe(HttpStatusCode.OK);
        Assert.Single(homeThen["inspections"].AsArray());
        Assert.Single(homeThen["activePartnerships"].AsArray());
    }
}
