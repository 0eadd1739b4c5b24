using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Access;
using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;
using Marten;

namespace CareRegistry.Tests.Statistics;

// The monitoring table, search filters and alerts over a scenario built by hand, on both clocks.
public class CrossDepartmentReadTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private const string District = "530111";

    private sealed record World(Guid HomeA, Guid HomeB, Guid Hospital, Guid CareHospital, Guid Inspection, Guid MajorFinding, Guid ClinicFiling);

    // Two care homes, a hospital, a hospital with care beds; A holds both certificates, a designated clinic and a
    // partner; B holds only its filing and was inspected in 2024 with an overdue major finding.
    private async Task<World> BuildWorld()
    {
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        await Client.Regime("00", PermitType.InternalClinic, Regime.Filing, D(2017, 11, 8));
        var a = await Client.Register(Scenario.CareHome("甲养老院", District));
        var b = await Client.Register(Scenario.CareHome("乙养老院", District));
        var hospital = await Client.Register(Scenario.Hospital("丙医院", District));
        var careHospital = await Client.Register(new RegisterInstitution("丁老年病医院", "Ding Geriatric Hospital", Scenario.NewUscc(District),
            InstitutionKind.Medical, MedicalSubtype.GeriatricHospital, 3, Ownership.Public, District, "官渡区", new BedsInput(ElderlyCare: 50, Medical: 200, Rehabilitation: 30),
            null, null, D(2000, 1, 1)));

        (await Client.Submit(a, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        var clinic = (await Client.Submit(a, PermitType.InternalClinic, D(2019, 6, 1))).ShouldBe(HttpStatusCode.Created).Id;
        var designation = (await Client.Submit(a, PermitType.InsuranceDesignation, D(2019, 10, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await Client.Grant(a, designation, D(2020, 1, 1))).ShouldBe(HttpStatusCode.OK);
        (await Client.Submit(b, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        foreach (var h in new[] { hospital, careHospital })
        {
            var licence = (await Client.Submit(h, PermitType.MedicalPractice, D(2010, 1, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
            (await Client.Grant(h, licence, D(2010, 2, 1), D(2035, 12, 31))).ShouldBe(HttpStatusCode.OK);
        }
        (await Client.Submit(careHospital, PermitType.ElderlyCare, D(2019, 3, 1))).ShouldBe(HttpStatusCode.Created);
        (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [a, hospital], [PartnershipService.EmergencyCare],
            D(2019, 1, 1), D(2030, 12, 31)))).ShouldBe(HttpStatusCode.Created);

        var inspection = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [b], [Department.CivilAffairs], ["张检查"], D(2024, 3, 1))))
            .ShouldBe(HttpStatusCode.Created).Id;
        var major = (await Client.Post($"/api/inspections/{inspection}/findings", new RecordFinding(b, FindingCategory.FireSafety, Severity.Major, 4,
            "消防通道堵塞", D(2024, 4, 1), D(2024, 3, 1)))).ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        (await Client.Post($"/api/inspections/{inspection}/findings", new RecordFinding(b, FindingCategory.Hygiene, Severity.Minor, 1,
            "厨房卫生", null, D(2024, 3, 1)))).ShouldBe(HttpStatusCode.Created);
        (await Client.Post($"/api/jurisdictions/{District}/population", new RecordPopulation(20_000, 15_000, 3_000, D(2023, 1, 1), "区民政局统计")))
            .ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        return new World(a, b, hospital, careHospital, inspection, major, clinic);
    }

    private async Task<Dictionary<string, JsonNode>> Table(string query)
    {
        // Read right after the commands each time: every figure as projected, none taken while stale.
        var table = (await Client.GetCurrent($"/api/statistics/integrated-care?{query}")).ShouldBe(HttpStatusCode.OK);
        return table["figures"].AsArray().ToDictionary(f => f!["key"]!.GetValue<string>(), f => f!);
    }

    private static decimal? Value(Dictionary<string, JsonNode> table, string key) => table[key]["value"]?.GetValue<decimal>();

    [Fact]
    public async Task The_monitoring_table_matches_the_scenario_figure_by_figure()
    {
        var w = await BuildWorld();
        var t = await Table($"jurisdiction={District}&asOf=2024-06-01&include=ids");

        Assert.Equal(2, Value(t, "elderly-care-institutions"));
        Assert.Equal([w.HomeA, w.HomeB], t["elderly-care-institutions"]["institutionIds"]!.AsArray().Select(x => x!.GetValue<Guid>()).Order());
        // 养老床位 counts a care home's nursing beds too (100 + 20 in each home); the hospital's 50 care beds are 医中有养.
        Assert.Equal(240, Value(t, "elderly-care-beds"));
        Assert.Equal(12.0m, Value(t, "elderly-care-beds-per-1000-elders"));
        Assert.Equal((240, 20_000), (t["elderly-care-beds-per-1000-elders"]["numerator"]!.GetValue<int>(), t["elderly-care-beds-per-1000-elders"]["denominator"]!.GetValue<int>()));
        Assert.Equal(2, Value(t, "medical-institutions"));
        Assert.Equal(1, Value(t, "medical-institutions-grade-3"));
        Assert.Equal(1, Value(t, "medical-institutions-grade-2"));
        Assert.Equal(1, Value(t, "medical-institutions-with-care-beds"));
        Assert.Equal(30, Value(t, "medical-nursing-rehabilitation-beds"));
        Assert.Equal(2, Value(t, "integrated-institutions"));
        Assert.Equal(1, Value(t, "integrated-care-with-medical"));
        Assert.Equal(1, Value(t, "integrated-medical-with-care"));
        Assert.Equal(120 + 280, Value(t, "integrated-beds"));
        Assert.Equal(1, Value(t, "care-homes-with-internal-clinic"));
        Assert.Equal(50.0m, Value(t, "care-homes-with-internal-clinic-percent"));
        Assert.Equal(1, Value(t, "care-homes-with-partnership"));
        Assert.Equal([w.HomeA], t["care-homes-with-partnership"]["institutionIds"]!.AsArray().Select(x => x!.GetValue<Guid>()));
        Assert.Equal(1, Value(t, "insurance-designated-internal-clinics"));
        Assert.Equal(1, Value(t, "inspections"));
        Assert.Equal(1, Value(t, "findings-major"));
        Assert.Equal(1, Value(t, "findings-minor"));
        Assert.Equal(0, Value(t, "findings-critical"));
        Assert.Equal(1, Value(t, "rectifications-overdue"));

        // Before the reforms took effect nothing was integrated; before the population was recorded there is no ratio.
        var earlier = await Table($"jurisdiction={District}&asOf=2018-06-01");
        Assert.Equal(0, Value(earlier, "integrated-institutions"));
        Assert.Equal(0, Value(earlier, "care-homes-with-partnership"));
        // Registered but holding no elderly-care permit yet: not yet 养老机构 by the table's definition.
        Assert.Equal(0, Value(earlier, "elderly-care-institutions"));
        Assert.Null(Value(earlier, "elderly-care-beds-per-1000-elders"));
        // A year after the inspection its findings fall out of the 12-month window; the overdue one stays overdue.
        var later = await Table($"jurisdiction={District}&asOf=2025-06-01");
        Assert.Equal(0, Value(later, "findings-major"));
        Assert.Equal(1, Value(later, "rectifications-overdue"));
        // Rolled up: the city holds the district; another province holds none of it.
        Assert.Equal(2, Value(await Table("jurisdiction=5301&asOf=2024-06-01"), "elderly-care-institutions"));
        Assert.Equal(0, Value(await Table("jurisdiction=50&asOf=2024-06-01"), "elderly-care-institutions"));
    }

    [Fact]
    public async Task The_table_is_served_as_csv_and_refuses_bad_parameters()
    {
        await BuildWorld();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/statistics/integrated-care?jurisdiction={District}&asOf=2024-06-01");
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        // The UTF-8 byte-order mark first, so Excel on Chinese Windows reads the headers right.
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var csv = System.Text.Encoding.UTF8.GetString(bytes[3..]);
        Assert.StartsWith("\"行政区划代码\",\"统计日期\",\"指标代码\",\"指标名称\",\"数值\"", csv);
        Assert.Contains($"\"{District}\",2024-06-01,\"care-homes-with-partnership-percent\",\"% of elderly-care institutions\",50,1,2", csv);

        (await Client.Get("/api/statistics/integrated-care")).ShouldBeProblem(HttpStatusCode.BadRequest, "jurisdiction");
        (await Client.Get("/api/statistics/integrated-care?jurisdiction=5301x")).ShouldBeProblem(HttpStatusCode.BadRequest, "jurisdiction");
        (await Client.Get($"/api/statistics/integrated-care?jurisdiction={District}&asOf=2024-13-01")).ShouldBeProblem(HttpStatusCode.BadRequest, "asOf");
        (await Client.Get($"/api/statistics/integrated-care?jurisdiction={District}&include=names")).ShouldBeProblem(HttpStatusCode.BadRequest, "include");
    }

    [Fact]
    public async Task A_late_entry_changes_as_of_answers_but_not_what_was_recorded_before_it()
    {
        var w = await BuildWorld();
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        // Recorded now, effective in 2020: home B had signed with the hospital after all.
        (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [w.HomeB, w.Hospital], [PartnershipService.ScheduledVisits],
            D(2020, 1, 1), D(2030, 12, 31)))).ShouldBe(HttpStatusCode.Created);
        await Fixture.Projected();

        Assert.Equal(100.0m, Value(await Table($"jurisdiction={District}&asOf=2024-06-01"), "care-homes-with-partnership-percent"));
        var recordedBefore = Uri.EscapeDataString(before.ToString("O"));
        Assert.Equal(50.0m, Value(await Table($"jurisdiction={District}&asOf=2024-06-01&recordedAsOf={recordedBefore}"), "care-homes-with-partnership-percent"));

        var partnered = await Ids($"/api/institutions?jurisdiction={District}&hasPartnership=true&asOf=2024-06-01");
        Assert.Equal(new[] { w.HomeA, w.HomeB, w.Hospital }.Order(), partnered.Order());
        var partneredThen = await Ids($"/api/institutions?jurisdiction={District}&hasPartnership=true&asOf=2024-06-01&recordedAsOf={recordedBefore}");
        Assert.Equal(new[] { w.HomeA, w.Hospital }.Order(), partneredThen.Order());
        var viewThen = (await Client.Get($"/api/institutions/{w.HomeB}?asOf=2024-06-01&recordedAsOf={recordedBefore}")).ShouldBe(HttpStatusCode.OK);
        Assert.Empty(viewThen["activePartnerships"].AsArray());
        Assert.Single((await Client.Get($"/api/institutions/{w.HomeB}?asOf=2024-06-01")).ShouldBe(HttpStatusCode.OK)["activePartnerships"].AsArray());
    }

    private async Task<List<Guid>> Ids(string url)
    {
        var answer = (await Client.Get(url)).ShouldBe(HttpStatusCode.OK);
        return answer["items"].AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
    }

    [Fact]
    public async Task Search_filters_across_departments_on_any_date()
    {
        var w = await BuildWorld();
        Assert.Equal([w.HomeA, w.CareHospital], await Ids($"/api/institutions?jurisdiction={District}&integrated=true&asOf=2024-06-01"));
        Assert.Equal([w.HomeB, w.Hospital], await Ids($"/api/institutions?jurisdiction={District}&integrated=false&asOf=2024-06-01"));
        Assert.Empty(await Ids($"/api/institutions?jurisdiction={District}&integrated=true&asOf=2018-06-01"));
        Assert.Equal([w.HomeA], await Ids("/api/institutions?permitType=internal-clinic&permitStatus=active&asOf=2024-06-01"));
        Assert.Equal([w.HomeA], await Ids("/api/institutions?permitType=insurance-designation&permitStatus=pending&asOf=2019-12-01"));
        Assert.Empty(await Ids("/api/institutions?permitType=insurance-designation&permitStatus=pending&asOf=2020-06-01"));
        Assert.Equal([w.HomeA], await Ids("/api/institutions?department=medical-insurance&asOf=2024-06-01"));
        Assert.Equal([w.Hospital, w.CareHospital], await Ids("/api/institutions?kind=medical&department=health"));
        Assert.Equal([w.HomeB], await Ids("/api/institutions?demeritAtLeast=5&asOf=2024-06-01"));
        Assert.Empty(await Ids("/api/institutions?demeritAtLeast=6&asOf=2024-06-01"));
        Assert.Empty(await Ids("/api/institutions?demeritAtLeast=5&asOf=2025-03-01"));
        Assert.Equal([w.HomeB], await Ids($"/api/institutions?jurisdiction={District}&kind=elderly-care&hasPartnership=false"));

        (await Client.Get("/api/institutions?permitStatus=active")).ShouldBeProblem(HttpStatusCode.BadRequest, "permitStatus");
        (await Client.Get("/api/institutions?integrated=yes")).ShouldBeProblem(HttpStatusCode.BadRequest, "integrated");
        (await Client.Get("/api/institutions?demeritAtLeast=-1")).ShouldBeProblem(HttpStatusCode.BadRequest, "demeritAtLeast");
        (await Client.Get("/api/institutions?department=police")).ShouldBeProblem(HttpStatusCode.BadRequest, "department");
    }

    // GET /institutions/{id} reads each inspection with the institution's own findings only (GetInstitution.InspectionsOf);
    // as recorded by an instant it folds the whole inspection streams. Both answers must be the same, findings in order.
    [Fact]
    public async Task An_institution_view_of_a_joint_inspection_reads_its_own_findings_as_its_recorded_view_does()
    {
        var w = await BuildWorld();
        var joint = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Joint, [w.HomeA, w.HomeB], [Department.Health, Department.CivilAffairs],
            ["王卫", "李民"], D(2024, 4, 1)))).ShouldBe(HttpStatusCode.Created).Id;
        async Task<Guid> Find(Guid home, FindingCategory category, int points, DateOnly due) =>
            (await Client.Post($"/api/inspections/{joint}/findings", new RecordFinding(home, category, Severity.Major, points, "联合检查", due, D(2024, 4, 1))))
            .ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        var fire = await Find(w.HomeA, FindingCategory.FireSafety, 2, D(2024, 5, 1));
        var hygiene = await Find(w.HomeB, FindingCategory.Hygiene, 9, D(2024, 5, 1));
        var drugs = await Find(w.HomeA, FindingCategory.DrugUse, 3, D(2024, 4, 15));
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"));

        foreach (var (home, own, points) in new[] { (w.HomeA, new[] { fire, drugs }, 5), (w.HomeB, new[] { hygiene }, 14) })
        foreach (var day in new[] { "2024-04-10", "2024-04-20", "2024-06-01" })
        {
            var view = (await Client.Get($"/api/institutions/{home}?asOf={day}")).ShouldBe(HttpStatusCode.OK);
            var recorded = (await Client.Get($"/api/institutions/{home}?asOf={day}&recordedAsOf={now}")).ShouldBe(HttpStatusCode.OK);
            var (mine, theirs) = (view.Body!.AsObject(), recorded.Body!.AsObject());
            mine.Remove("recordedAsOf");
            theirs.Remove("recordedAsOf");
            Assert.Equal(theirs.ToJsonString(), mine.ToJsonString());
            Assert.Equal(own, view["openRectifications"].AsArray().Where(o => o!["inspectionId"]!.GetValue<Guid>() == joint)
                .Select(o => o!["findingId"]!.GetValue<Guid>()));
            Assert.Equal(points, view["demeritPoints"].GetValue<int>());
        }
    }

    // demeritAtLeast writes the day and the place into its statement (SearchInstitutions.HavingFact): the answer is the
    // same for every kind of prefix, on either clock, and after the statement has been run often enough for PostgreSQL
    // to cache a generic plan.
    [Fact]
    public async Task Demerit_filter_answers_alike_for_every_prefix_both_clocks_and_repeated_requests()
    {
        var w = await BuildWorld();
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"));
        foreach (var place in new[] { "", "&jurisdiction=00", "&jurisdiction=53", "&jurisdiction=5301", $"&jurisdiction={District}" })
            for (var run = 0; run < 7; run++)
            {
                Assert.Equal([w.HomeB], await Ids($"/api/institutions?demeritAtLeast=5&asOf=2024-06-01{place}"));
                Assert.Equal([w.HomeB], await Ids($"/api/institutions?demeritAtLeast=1&asOf=2024-03-01{place}"));
                Assert.Equal([w.HomeB], await Ids($"/api/institutions?demeritAtLeast=5&asOf=2024-06-01&recordedAsOf={now}{place}"));
                Assert.Empty(await Ids($"/api/institutions?demeritAtLeast=6&asOf=2024-06-01{place}"));
                Assert.Empty(await Ids($"/api/institutions?demeritAtLeast=1&asOf=2024-02-29{place}"));
                Assert.Empty(await Ids($"/api/institutions?demeritAtLeast=5&asOf=2025-03-01{place}"));
            }
        foreach (var elsewhere in new[] { "530112", "5001", "52" })
            Assert.Empty(await Ids($"/api/institutions?demeritAtLeast=1&asOf=2024-06-01&jurisdiction={elsewhere}"));
        Assert.Equal([w.HomeB], await Ids($"/api/institutions?demeritAtLeast=5&asOf=2024-06-01&jurisdiction=5301&kind=elderly-care&hasPartnership=false"));
    }

    [Fact]
    public async Task Chinese_names_are_found_by_substring_and_paging_is_stable_while_writes_continue()
    {
        foreach (var name in new[] { "昆明仁德医院", "柏寿老年公寓", "都市新家老年公寓", "官房集团老年公寓", "悦来老年康养中心" })
            await Client.Register(name.EndsWith("医院") ? Scenario.Hospital(name, District) : Scenario.CareHome(name, District));
        Assert.Single(await Ids("/api/institutions?q=" + Uri.EscapeDataString("仁德医院")));
        Assert.Equal(3, (await Ids("/api/institutions?q=" + Uri.EscapeDataString("老年公寓"))).Count);
        Assert.Single(await Ids("/api/institutions?q=" + Uri.EscapeDataString("康养")));
        Assert.Single(await Ids("/api/institutions?q=" + Uri.EscapeDataString("都市新家")));
        Assert.Empty(await Ids("/api/institutions?q=" + Uri.EscapeDataString("100%_")));

        var first = (await Client.Get("/api/institutions?limit=2")).ShouldBe(HttpStatusCode.OK);
        var seen = first["items"].AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
        var cursor = first["next"].GetValue<string>();
        // Registered between two pages: it comes after everything already listed, so nothing shifts or repeats.
        var late = await Client.Register(Scenario.CareHome("翻页中登记的养老院", District));
        while (cursor is not null)
        {
            var page = (await Client.Get($"/api/institutions?limit=2&cursor={cursor}")).ShouldBe(HttpStatusCode.OK);
            seen.AddRange(page["items"].AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
            cursor = page.Body?["next"]?.GetValue<string>();
        }
        Assert.Equal(6, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(late, seen[^1]);
    }

    private async Task<List<JsonNode>> Alerts(string query)
    {
        var answer = (await Client.Get($"/api/alerts?jurisdiction={District}&{query}")).ShouldBe(HttpStatusCode.OK);
        return answer["items"].AsArray().Select(a => a!).ToList();
    }

    private async Task<List<string>> AlertTypesOn(Guid institution, string asOf) =>
        (await Alerts($"asOf={asOf}&limit=500")).Where(a => a["institutionId"]!.GetValue<Guid>() == institution).Select(a => a["type"]!.GetValue<string>()).Order().ToList();

    [Fact]
    public async Task Each_alert_type_is_raised_and_cleared()
    {
        var w = await BuildWorld();

        // care-home-without-partnership: B has none; signing one clears it from its start.
        var unpartnered = Assert.Single(await Alerts("type=care-home-without-partnership&asOf=2024-06-01"));
        Assert.Equal(w.HomeB, unpartnered["institutionId"]!.GetValue<Guid>());
        Assert.Equal("civil-affairs", unpartnered["department"]!.GetValue<string>());
        // rectification-overdue: the major finding was due 2024-04-01.
        Assert.Empty(await Alerts("type=rectification-overdue&asOf=2024-04-01"));
        var overdue = Assert.Single(await Alerts("type=rectification-overdue&asOf=2024-04-02"));
        Assert.Equal((w.MajorFinding, w.Inspection, "2024-04-01"), (overdue["findingId"]!.GetValue<Guid>(), overdue["inspectionId"]!.GetValue<Guid>(), overdue["dueOn"]!.GetValue<string>()));
        Assert.Equal("civil-affairs", overdue["department"]!.GetValue<string>());
        // integrated-without-insurance: the geriatric hospital is integrated from 2019-03-01 and never designated.
        Assert.Equal([w.CareHospital], (await Alerts("type=integrated-without-insurance&asOf=2024-06-01")).Select(a => a["institutionId"]!.GetValue<Guid>()));
        Assert.Equal("medical-insurance", (await Alerts("type=integrated-without-insurance&asOf=2024-06-01"))[0]["department"]!.GetValue<string>());
        // A was integrated from 2019-06-01 but designated only from 2020-01-01.
        Assert.Contains("integrated-without-insurance", await AlertTypesOn(w.HomeA, "2019-12-01"));
        Assert.DoesNotContain("integrated-without-insurance", await AlertTypesOn(w.HomeA, "2020-01-01"));

        // permit-expiring within 60 days, then permit-expired, then cleared by a renewal.
        var licence = (await Client.Get($"/api/institutions/{w.Hospital}")).ShouldBe(HttpStatusCode.OK)["permits"][0]!["id"]!.GetValue<Guid>();
        Assert.Empty(await AlertTypesOn(w.Hospital, "2035-10-31"));
        Assert.Equal(["permit-expiring"], await AlertTypesOn(w.Hospital, "2035-11-01"));
        var expiring = Assert.Single(await Alerts("type=permit-expiring&asOf=2035-12-31"), a => a["institutionId"]!.GetValue<Guid>() == w.Hospital);
        Assert.Equal((licence, "2035-12-31", "health"), (expiring["permitId"]!.GetValue<Guid>(), expiring["dueOn"]!.GetValue<string>(), expiring["department"]!.GetValue<string>()));
        Assert.Equal(["permit-expired"], await AlertTypesOn(w.Hospital, "2036-01-01"));
        (await Client.Post($"/api/institutions/{w.Hospital}/permits/{licence}/renewal", new RenewPermit(D(2035, 12, 1), D(2040, 12, 31), null))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        Assert.Empty(await AlertTypesOn(w.Hospital, "2036-01-01"));

        // filing-correction-overdue: a correction requested by 2024-07-01 and made on 2024-07-15.
        (await Client.Post($"/api/institutions/{w.HomeA}/permits/{w.ClinicFiling}/correction-request", new RequestFilingCorrection(D(2024, 6, 1), D(2024, 7, 1), "缺执业人员名单")))
            .ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        Assert.DoesNotContain("filing-correction-overdue", await AlertTypesOn(w.HomeA, "2024-07-01"));
        Assert.Contains("filing-correction-overdue", await AlertTypesOn(w.HomeA, "2024-07-02"));
        (await Client.Post($"/api/institutions/{w.HomeA}/permits/{w.ClinicFiling}/correction", new CorrectFiling(D(2024, 7, 15), "已补正"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        Assert.Contains("filing-correction-overdue", await AlertTypesOn(w.HomeA, "2024-07-14"));
        Assert.DoesNotContain("filing-correction-overdue", await AlertTypesOn(w.HomeA, "2024-07-15"));

        // rectification verified: the overdue alert ends on the day it was accepted.
        var finding = $"/api/inspections/{w.Inspection}/findings/{w.MajorFinding}";
        (await Client.Post($"{finding}/rectification", new ReportRectification(D(2024, 5, 1), "已清理"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{finding}/verification", new VerifyRectification(D(2024, 5, 10), VerificationOutcome.Accepted, null))).ShouldBe(HttpStatusCode.OK);
        // demerit-threshold: 4 + 9 points within 12 months crosses the default 12; overturning the 9 clears it.
        var big = (await Client.Post($"/api/inspections/{w.Inspection}/findings", new RecordFinding(w.HomeB, FindingCategory.ElderAbuseRisk, Severity.Critical, 9,
            "约束老人", null, D(2024, 3, 2)))).ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        await Fixture.Projected();
        Assert.Equal(["care-home-without-partnership", "demerit-threshold"], await AlertTypesOn(w.HomeB, "2024-06-01"));
        Assert.Equal("health", Assert.Single(await Alerts("type=demerit-threshold&asOf=2024-06-01"))["department"]!.GetValue<string>());
        (await Client.Post($"/api/inspections/{w.Inspection}/findings/{big}/dispute", new DisputeFinding(D(2024, 3, 10), "监控显示无此事"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/inspections/{w.Inspection}/findings/{big}/dispute/decision", new DecideDispute(DisputeOutcome.Overturned, null, "复核撤销", D(2024, 4, 1))))
            .ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        Assert.Equal(["care-home-without-partnership", "demerit-threshold"], await AlertTypesOn(w.HomeB, "2024-03-20"));
        Assert.Equal(["care-home-without-partnership"], await AlertTypesOn(w.HomeB, "2024-06-01"));
        (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [w.HomeB, w.Hospital], [PartnershipService.ScheduledVisits],
            D(2024, 7, 1), D(2030, 12, 31)))).ShouldBe(HttpStatusCode.Created);
        await Fixture.Projected();
        Assert.Empty(await AlertTypesOn(w.HomeB, "2024-07-01"));
        Assert.Equal(["care-home-without-partnership"], await AlertTypesOn(w.HomeB, "2024-06-30"));

        (await Client.Get("/api/alerts?type=fire")).ShouldBeProblem(HttpStatusCode.BadRequest, "type");
    }

    [Fact]
    public async Task The_table_alerts_search_and_institution_views_agree_on_rectifications_and_their_departments()
    {
        var w = await BuildWorld();
        // A joint inspection opened by health: civil affairs records the fire-safety finding, health the others.
        var joint = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Joint, [w.HomeA, w.HomeB], [Department.Health, Department.CivilAffairs],
            ["王卫", "李民"], D(2024, 4, 1)))).ShouldBe(HttpStatusCode.Created).Id;
        var civil = Fixture.Tokens.For("li-civil", Department.CivilAffairs, Role.Inspector, District);
        async Task<Guid> Find(Guid home, FindingCategory category, int points, DateOnly due, string? bearer = null) =>
            (await Client.Post($"/api/inspections/{joint}/findings", new RecordFinding(home, category, Severity.Major, points, "联合检查", due, D(2024, 4, 1)), bearer: bearer))
            .ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        async Task Step(Guid finding, string step, object command) =>
            (await Client.Post($"/api/inspections/{joint}/findings/{finding}/{step}", command)).ShouldBe(HttpStatusCode.OK);
        var fire = await Find(w.HomeA, FindingCategory.FireSafety, 2, D(2024, 5, 1), civil);
        var drugs = await Find(w.HomeA, FindingCategory.DrugUse, 2, D(2024, 4, 15));
        await Find(w.HomeB, FindingCategory.Hygiene, 9, D(2024, 5, 1));
        await Step(fire, "rectification", new ReportRectification(D(2024, 4, 20), "已清理通道"));
        await Step(fire, "verification", new VerifyRectification(D(2024, 6, 10), VerificationOutcome.Accepted, null));
        await Step(drugs, "rectification", new ReportRectification(D(2024, 4, 10), "已清理"));
        await Step(drugs, "verification", new VerifyRectification(D(2024, 4, 20), VerificationOutcome.Rejected, "仍有过期药品"));
        await Fixture.Projected();

        static string Text(JsonNode? node, string name) => node![name]!.GetValue<string>();
        static Guid Id(JsonNode? node, string name) => node![name]!.GetValue<Guid>();
        foreach (var day in new[] { "2024-04-16", "2024-05-15", "2024-06-15" })
        {
            var departments = new Dictionary<Guid, string>();
            foreach (var inspection in new[] { w.Inspection, joint })
            foreach (var f in (await Client.Get($"/api/inspections/{inspection}?asOf={day}")).ShouldBe(HttpStatusCode.OK)["findings"].AsArray())
                departments[Id(f, "id")] = Text(f, "department");
            var table = await Table($"jurisdiction={District}&asOf={day}&include=ids");
            var views = new List<Answer>();
            foreach (var home in new[] { w.HomeA, w.HomeB }) views.Add((await Client.Get($"/api/institutions/{home}?asOf={day}")).ShouldBe(HttpStatusCode.OK));

            foreach (var (type, figure, flag) in new[] { ("rectification-overdue", "rectifications-overdue", "overdue"),
                         ("verification-pending", "rectifications-awaiting-verification", "awaitingVerification") })
            {
                var alerts = await Alerts($"type={type}&asOf={day}&limit=500");
                Assert.Equal(alerts.Count, (int)Value(table, figure)!);
                Assert.Equal(alerts.Select(a => Id(a, "institutionId")).Distinct().Order(), table[figure]["institutionIds"]!.AsArray().Select(x => x!.GetValue<Guid>()).Order());
                Assert.All(alerts, a => Assert.Equal(departments[Id(a, "findingId")], Text(a, "department")));
                var flagged = views.SelectMany(v => v["openRectifications"].AsArray().Where(o => o![flag]!.GetValue<bool>())).ToList();
                Assert.Equal(alerts.Select(a => (Id(a, "findingId"), Text(a, "department"))).Order(), flagged.Select(o => (Id(o, "findingId"), Text(o, "department"))).Order());
                Assert.All(views, v => Assert.Equal(v["openRectifications"].AsArray().Any(o => o![flag]!.GetValue<bool>()),
                    v["alerts"].AsArray().Any(a => a!.GetValue<string>() == type)));
            }
            var crossed = (await Alerts($"type=demerit-threshold&asOf={day}")).Select(a => Id(a, "institutionId")).Order().ToList();
            Assert.Equal(crossed, (await Ids($"/api/institutions?jurisdiction={District}&demeritAtLeast=12&asOf={day}")).Order());
            Assert.Equal(crossed, views.Where(v => v["demeritPoints"].GetValue<int>() >= 12).Select(v => v.Id).Order());
        }

        // What the scenario says on 2024-05-15: B's two deadlines passed unreported and A's report rejected after its
        // deadline are the institutions' lateness; A's fire-safety report waits for civil affairs.
        var may = await Table($"jurisdiction={District}&asOf=2024-05-15");
        Assert.Equal((3m, 1m), (Value(may, "rectifications-overdue"), Value(may, "rectifications-awaiting-verification")));
        var waiting = Assert.Single(await Alerts("type=verification-pending&asOf=2024-05-15"));
        Assert.Equal((fire, "civil-affairs"), (Id(waiting, "findingId"), Text(waiting, "department")));
        Assert.Equal([w.HomeB], await Ids($"/api/institutions?jurisdiction={District}&demeritAtLeast=12&asOf=2024-05-15"));
    }

    [Fact]
    public async Task Alerts_page_by_cursor_without_repeats_or_gaps()
    {
        await BuildWorld();
        var all = (await Alerts("asOf=2036-01-01&limit=500")).Select(a => a["id"]!.GetValue<Guid>()).ToList();
        Assert.True(all.Count >= 3, $"expected several alerts, got {all.Count}");
        var paged = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = (await Client.Get($"/api/alerts?jurisdiction={District}&asOf=2036-01-01&limit=1" + (cursor is null ? "" : $"&cursor={cursor}"))).ShouldBe(HttpStatusCode.OK);
            paged.AddRange(page["items"].AsArray().Select(a => a!["id"]!.GetValue<Guid>()));
            cursor = page.Body?["next"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(all, paged);
    }

    // Every alert believed now is read in id order through the alerts' id index; one type, and any recorded instant,
    // through the covering index and a sort. Both give the same alerts in the same order.
    [Fact]
    public async Task Alerts_are_the_same_in_the_same_order_whichever_index_reads_them()
    {
        await BuildWorld();
        await Fixture.Projected();
        var now = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        foreach (var day in new[] { "2024-05-17", "2036-01-01" })
        {
            var all = (await Alerts($"asOf={day}&limit=500")).Select(a => a["id"]!.GetValue<Guid>()).ToList();
            Assert.NotEmpty(all);
            Assert.Equal(all.OrderBy(id => id.ToString()).ToList(), all);
            var byType = new List<Guid>();
            foreach (var type in CareRegistry.Statistics.AlertTypes.All)
                byType.AddRange((await Alerts($"asOf={day}&type={type}&limit=500")).Select(a => a["id"]!.GetValue<Guid>()));
            Assert.Equal(all, byType.OrderBy(id => id.ToString()).ToList());
            Assert.Equal(all, (await Alerts($"asOf={day}&recordedAsOf={now}&limit=500")).Select(a => a["id"]!.GetValue<Guid>()).ToList());
            // Pages of two, through the cursor, neither repeat nor skip.
            var paged = new List<Guid>();
            string? cursor = null;
            do
            {
                var page = (await Client.Get($"/api/alerts?jurisdiction={District}&asOf={day}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"))).ShouldBe(HttpStatusCode.OK);
                paged.AddRange(page["items"].AsArray().Select(a => a!["id"]!.GetValue<Guid>()));
                cursor = page.Body?["next"]?.GetValue<string>();
            } while (cursor is not null);
            Assert.Equal(all, paged);
        }
    }

    [Fact]
    public async Task A_correction_is_seen_on_both_sides_of_its_recorded_instant()
    {
        var w = await BuildWorld();
        // A finding entered on the wrong institution: home A instead of home B, in a spot check of both.
        var joint = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.SpotCheck, [w.HomeA, w.HomeB], [Department.Health], ["李检查"], D(2024, 3, 1))))
            .ShouldBe(HttpStatusCode.Created);
        var entered = (await Client.Post($"/api/inspections/{joint.Id}/findings", new RecordFinding(w.HomeA, FindingCategory.Hygiene, Severity.Major, 6,
            "记错机构", null, D(2024, 3, 1)))).ShouldBe(HttpStatusCode.Created);
        await Fixture.Projected();
        Assert.Equal(6, (await Client.Get($"/api/institutions/{w.HomeA}?asOf=2024-06-01")).ShouldBe(HttpStatusCode.OK)["demeritPoints"].GetValue<int>());
        var beforeCorrection = DateTimeOffset.UtcNow;
        await Task.Delay(50);

        // Only the department that recorded it may retract it, and only with a reason.
        (await Client.Post("/api/corrections", new RetractEntry(joint.Id, entered.Version, null))).ShouldBeProblem(HttpStatusCode.BadRequest, "reason");
        var corrected = (await Client.Post("/api/corrections", new RetractEntry(joint.Id, entered.Version, "记录在错误的机构上，应为乙养老院"))).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(entered.Version + 1, corrected.Version);
        (await Client.Post("/api/corrections", new RetractEntry(joint.Id, entered.Version, "again"))).ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Post("/api/corrections", new RetractEntry(joint.Id, corrected.Version, "undo"))).ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Post("/api/corrections", new RetractEntry(joint.Id, 99, "none"))).ShouldBeProblem(HttpStatusCode.NotFound);
        await Fixture.Projected();

        var at = Uri.EscapeDataString(beforeCorrection.ToString("O"));
        Assert.Equal(0, (await Client.Get($"/api/institutions/{w.HomeA}?asOf=2024-06-01")).ShouldBe(HttpStatusCode.OK)["demeritPoints"].GetValue<int>());
        Assert.Equal(6, (await Client.Get($"/api/institutions/{w.HomeA}?asOf=2024-06-01&recordedAsOf={at}")).ShouldBe(HttpStatusCode.OK)["demeritPoints"].GetValue<int>());
        Assert.Equal(1, Value(await Table($"jurisdiction={District}&asOf=2024-06-01"), "findings-major"));
        Assert.Equal(2, Value(await Table($"jurisdiction={District}&asOf=2024-06-01&recordedAsOf={at}"), "findings-major"));
        Assert.Empty(await Ids("/api/institutions?demeritAtLeast=6&asOf=2024-06-01"));
        Assert.Equal([w.HomeA], await Ids($"/api/institutions?demeritAtLeast=6&asOf=2024-06-01&recordedAsOf={at}"));
        Assert.Empty((await Client.Get($"/api/inspections/{joint.Id}")).ShouldBe(HttpStatusCode.OK)["findings"].AsArray());

        // The history keeps both: the finding, marked as retracted, and the correction with its reason.
        var history = (await Client.Get($"/api/institutions/{w.HomeA}/history?order=recorded&limit=500")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        var finding = history.Single(e => e!["type"]!.GetValue<string>() == "finding-recorded");
        Assert.Equal(corrected.Version, finding!["retractedBy"]!["version"]!.GetValue<long>());
        Assert.Equal("记录在错误的机构上，应为乙养老院", finding["retractedBy"]!["reason"]!.GetValue<string>());
        Assert.Equal("health", finding["retractedBy"]!["department"]!.GetValue<string>());
        Assert.Equal("entry-retracted", history[^1]!["type"]!.GetValue<string>());

        // A wrong licence number: the filing is retracted and filed again with the right one.
        var clinic = (await Client.Get($"/api/institutions/{w.HomeA}/permits/{w.ClinicFiling}")).ShouldBe(HttpStatusCode.OK);
        (await Client.Post("/api/corrections", new RetractEntry(w.ClinicFiling, 1, "备案编号录入错误"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        (await Client.Get($"/api/institutions/{w.HomeA}/permits/{w.ClinicFiling}")).ShouldBeProblem(HttpStatusCode.NotFound);
        Assert.Equal(0, Value(await Table($"jurisdiction={District}&asOf=2024-06-01"), "care-homes-with-internal-clinic"));
        Assert.Equal("active", (await Client.Get($"/api/institutions/{w.HomeA}/permits/{w.ClinicFiling}?recordedAsOf={at}")).ShouldBe(HttpStatusCode.OK)["status"].GetValue<string>());
        Assert.NotNull(clinic.Body);
    }

    [Fact]
    public async Task Corrections_are_refused_to_other_departments_and_for_registrations()
    {
        var w = await BuildWorld();
        // The designation was recorded by medical insurance; a civil-affairs officer may not retract it.
        var token = Fixture.Tokens.For("civil", Department.CivilAffairs, Role.Officer, District);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/corrections")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new RetractEntry(w.HomeA, 1, "x"), Json.Options), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        // A registration is never retracted, whoever asks (the test client registered as civil affairs).
        (await Answer.From(await Fixture.Anonymous.SendAsync(request))).ShouldBeProblem(HttpStatusCode.Conflict);
        var designation = (await Client.Get($"/api/institutions/{w.HomeA}")).ShouldBe(HttpStatusCode.OK)["permits"].AsArray()
            .Single(p => p!["type"]!.GetValue<string>() == "insurance-designation")!["id"]!.GetValue<Guid>();
        using var other = new HttpRequestMessage(HttpMethod.Post, "/api/corrections")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new RetractEntry(designation, 2, "x"), Json.Options), System.Text.Encoding.UTF8, "application/json"),
        };
        other.Headers.Authorization = new("Bearer", token);
        (await Answer.From(await Fixture.Anonymous.SendAsync(other))).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await Client.Post("/api/corrections", new RetractEntry(Jurisdiction.StreamIdFor("00"), 1, "x"))).ShouldBeProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Every_kind_of_transition_changes_the_reads_on_its_date_and_not_before()
    {
        var w = await BuildWorld();
        var licence = (await Client.Get($"/api/institutions/{w.CareHospital}")).ShouldBe(HttpStatusCode.OK)["permits"].AsArray()
            .Single(p => p!["type"]!.GetValue<string>() == "medical-practice")!["id"]!.GetValue<Guid>();
        var permit = $"/api/institutions/{w.CareHospital}/permits/{licence}";
        (await Client.Post($"{permit}/suspension", new SuspendPermit(D(2021, 3, 1), "整改期间暂停"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{permit}/reinstatement", new ReinstatePermit(D(2021, 5, 1), "整改完成"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{permit}/revocation", new RevokePermit(D(2023, 1, 1), "吊销"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{w.HomeA}/permits/{w.ClinicFiling}/cancellation", new CancelFiling(D(2022, 1, 1), "撤销备案"))).ShouldBe(HttpStatusCode.OK);
        var agreement = (await Client.Get($"/api/partnerships?institutionId={w.HomeA}")).ShouldBe(HttpStatusCode.OK)["items"][0]!["id"]!.GetValue<Guid>();
        (await Client.Post($"/api/partnerships/{agreement}/termination", new TerminatePartnership(D(2022, 6, 1), "合作终止"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{w.HomeB}/closure", new CloseInstitution(D(2023, 6, 1), "停业"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();

        async Task<List<Guid>> Integrated(string day) => await Ids($"/api/institutions?jurisdiction={District}&integrated=true&asOf={day}");
        Assert.Equal([w.HomeA, w.CareHospital], await Integrated("2021-02-28"));
        Assert.Equal([w.HomeA], await Integrated("2021-03-01"));                    // licence suspended
        Assert.Equal([w.HomeA, w.CareHospital], await Integrated("2021-05-01"));   // reinstated
        Assert.Equal([w.CareHospital], await Integrated("2022-01-01"));            // clinic filing cancelled
        Assert.Empty(await Integrated("2023-01-01"));                              // licence revoked
        Assert.Equal([w.CareHospital], await Ids("/api/institutions?permitType=medical-practice&permitStatus=suspended&asOf=2021-04-01"));
        Assert.Equal([w.CareHospital], await Ids("/api/institutions?permitType=medical-practice&permitStatus=revoked&asOf=2023-01-01"));
        Assert.Equal([w.HomeA], await Ids("/api/institutions?permitType=internal-clinic&permitStatus=cancelled&asOf=2022-01-01"));

        Assert.Equal(1, Value(await Table($"jurisdiction={District}&asOf=2022-05-31"), "care-homes-with-partnership"));
        Assert.Equal(0, Value(await Table($"jurisdiction={District}&asOf=2022-06-01"), "care-homes-with-partnership"));  // terminated
        Assert.Equal(2, Value(await Table($"jurisdiction={District}&asOf=2023-05-31"), "elderly-care-institutions"));
        Assert.Equal(1, Value(await Table($"jurisdiction={District}&asOf=2023-06-01"), "elderly-care-institutions"));    // B closed
        Assert.Equal("closed", (await Client.Get($"/api/institutions?jurisdiction={District}&kind=elderly-care&asOf=2023-06-01")).ShouldBe(HttpStatusCode.OK)["items"]
            .AsArray().Single(i => i!["id"]!.GetValue<Guid>() == w.HomeB)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_institution_view_differs_between_two_dates_exactly_where_its_events_say()
    {
        var w = await BuildWorld();
        (await Client.Post($"/api/institutions/{w.HomeA}/beds", new ChangeBeds(D(2022, 1, 1), new BedsInput(ElderlyCare: 150, Nursing: 30), "扩建"))).ShouldBe(HttpStatusCode.OK);
        var then = (await Client.Get($"/api/institutions/{w.HomeA}?asOf=2019-06-19")).ShouldBe(HttpStatusCode.OK);
        var now = (await Client.Get($"/api/institutions/{w.HomeA}")).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(100, then["beds"]["elderlyCare"]!.GetValue<int>());
        Assert.Equal(150, now["beds"]["elderlyCare"]!.GetValue<int>());
        string Status(Answer view, string type) => view["permits"].AsArray().Single(p => p!["type"]!.GetValue<string>() == type)!["status"]!.GetValue<string>();
        Assert.Equal("active", Status(then, "elderly-care"));
        Assert.Equal("active", Status(then, "internal-clinic"));
        Assert.Equal("not-yet-submitted", Status(then, "insurance-designation"));
        Assert.Equal("active", Status(now, "insurance-designation"));
        Assert.True(then["integrated"].GetValue<bool>());
        Assert.Equal("care-with-medical", then["integratedModel"].GetValue<string>());
        Assert.Single(then["activePartnerships"].AsArray());
        Assert.Contains("integrated-without-insurance", then["alerts"].AsArray().Select(a => a!.GetValue<string>()));
        Assert.DoesNotContain("integrated-without-insurance", now["alerts"].AsArray().Select(a => a!.GetValue<string>()));
        // What did not change reads the same on both days.
        foreach (var field in new[] { "name", "uscc", "kind", "jurisdiction", "status", "integrated", "demeritPoints" })
            Assert.Equal(then[field].ToJsonString(), now[field].ToJsonString());
    }
}
