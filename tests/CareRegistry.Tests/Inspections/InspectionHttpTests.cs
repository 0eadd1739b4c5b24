using System.Net;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Inspections;

public class InspectionHttpTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    // An inspection is inside a jurisdiction when any institution it inspected is; with institutionId too, that
    // institution's inspections are found first and the jurisdiction checked on them.
    [Fact]
    public async Task Inspections_by_jurisdiction_follow_any_inspected_institution()
    {
        var home = await Client.Register(Scenario.CareHome("跨区检查养老院", jurisdiction: "530102"));
        var hospital = await Client.Register(Scenario.Hospital("跨区检查医院"));
        var joint = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Joint, [home, hospital],
            [Department.Health, Department.CivilAffairs], ["王检查"], D(2023, 5, 1)))).ShouldBe(HttpStatusCode.Created).Id;
        var alone = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.SpotCheck, [home],
            [Department.CivilAffairs], ["李检查"], D(2023, 6, 1)))).ShouldBe(HttpStatusCode.Created).Id;
        // By jurisdiction alone the list follows the standing facts (asynchronous).
        await Fixture.Projected();

        async Task<List<Guid>> Ids(string query) =>
            (await Client.Get($"/api/inspections?{query}&limit=500")).ShouldBe(HttpStatusCode.OK)["items"].AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
        Assert.Equal([joint, alone], await Ids($"institutionId={home}"));
        Assert.Equal([joint, alone], await Ids($"institutionId={home}&jurisdiction=530102"));
        Assert.Equal([joint], await Ids($"institutionId={home}&jurisdiction=530111"));
        Assert.Equal([joint], await Ids($"institutionId={hospital}&jurisdiction=5301"));
        Assert.Empty(await Ids($"institutionId={home}&jurisdiction=5303"));
        var district = await Ids("jurisdiction=530102");
        Assert.Contains(joint, district);
        Assert.Contains(alone, district);
        Assert.Equal(district.OrderBy(id => id.ToString()).ToList(), district);
        Assert.DoesNotContain(alone, await Ids("jurisdiction=530111"));
        // Opened within a range, a page at a time, and with a status (the document's own filter) too.
        var later = await Ids("jurisdiction=530102&from=2023-05-15");
        Assert.Contains(alone, later);
        Assert.DoesNotContain(joint, later);
        var earlier = await Ids("jurisdiction=530102&to=2023-05-15&status=open");
        Assert.Contains(joint, earlier);
        Assert.DoesNotContain(alone, earlier);
        var first = (await Client.Get("/api/inspections?jurisdiction=530102&limit=1")).ShouldBe(HttpStatusCode.OK);
        var cursor = first["next"]!.GetValue<string>();
        var second = (await Client.Get($"/api/inspections?jurisdiction=530102&limit=1&cursor={cursor}")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(district.Take(2).ToList(), [first["items"].AsArray()[0]!["id"]!.GetValue<Guid>(), second["items"].AsArray()[0]!["id"]!.GetValue<Guid>()]);
    }

    [Fact]
    public async Task A_joint_inspection_follows_two_institutions_from_finding_to_verification()
    {
        var home = await Client.Register(Scenario.CareHome("联合检查养老院"));
        var hospital = await Client.Register(Scenario.Hospital("联合检查医院"));
        var opened = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Joint, [home, hospital],
            [Department.Health, Department.CivilAffairs], ["王检查", "李检查"], D(2023, 3, 1)))).ShouldBe(HttpStatusCode.Created);
        var url = $"/api/inspections/{opened.Id}";

        var fire = (await Client.Post($"{url}/findings", new RecordFinding(home, FindingCategory.FireSafety, Severity.Critical, 6, "消防通道堵塞", D(2023, 3, 15), D(2023, 3, 1))))
            .ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        var drugs = (await Client.Post($"{url}/findings", new RecordFinding(hospital, FindingCategory.DrugUse, Severity.Minor, 1, "药品记录不全", D(2023, 4, 1), D(2023, 3, 1))))
            .ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        (await Client.Post($"{url}/close", new CloseInspection(D(2023, 3, 2), "两家机构均需整改"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{url}/findings", new RecordFinding(home, FindingCategory.Other, Severity.Minor, 0, "late", null, D(2023, 3, 3)))).ShouldBeProblem(HttpStatusCode.Conflict);

        // The care home: rejected once, accepted on the second report.
        (await Client.Post($"{url}/findings/{fire}/rectification", new ReportRectification(D(2023, 3, 10), "已清理通道"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{url}/findings/{fire}/verification", new VerifyRectification(D(2023, 3, 12), VerificationOutcome.Rejected, "仍有杂物"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{url}/findings/{fire}/rectification", new ReportRectification(D(2023, 3, 20), "杂物已清运"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{url}/findings/{fire}/verification", new VerifyRectification(D(2023, 3, 22), VerificationOutcome.Accepted, null))).ShouldBe(HttpStatusCode.OK);
        // The hospital: accepted at once.
        (await Client.Post($"{url}/findings/{drugs}/rectification", new ReportRectification(D(2023, 3, 20), "已补全"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{url}/findings/{drugs}/verification", new VerifyRectification(D(2023, 3, 25), VerificationOutcome.Accepted, null))).ShouldBe(HttpStatusCode.OK);

        var homeOnTheSixteenth = (await Client.Get($"/api/institutions/{home}?asOf=2023-03-16")).ShouldBe(HttpStatusCode.OK);
        var open = Assert.Single(homeOnTheSixteenth["openRectifications"].AsArray())!;
        Assert.True(open["overdue"]!.GetValue<bool>());
        Assert.Contains("rectification-overdue", homeOnTheSixteenth["alerts"].AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(6, homeOnTheSixteenth["demeritPoints"].GetValue<int>());

        var homeLater = await Client.Get($"/api/institutions/{home}?asOf=2023-03-23");
        Assert.Empty(homeLater["openRectifications"].AsArray());
        Assert.Single(homeLater["inspections"].AsArray());

        var history = (await Client.Get($"/api/institutions/{home}/history"))["items"].AsArray().Select(i => i!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["institution-registered", "inspection-opened", "finding-recorded", "inspection-closed", "rectification-reported",
            "rectification-verified", "rectification-reported", "rectification-verified"], history);
        var hospitalHistory = (await Client.Get($"/api/institutions/{hospital}/history"))["items"].AsArray().Select(i => i!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(2, hospitalHistory.Count(t => t.StartsWith("rectification")));

        var inspection = (await Client.Get(url)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("closed", inspection["status"].GetValue<string>());
        Assert.Equal(2, inspection["findings"].AsArray().Count);
        Assert.Single((await Client.Get($"/api/inspections?institutionId={hospital}"))["items"].AsArray());
        await Fixture.Projected();
        Assert.Single((await Client.Get("/api/inspections?jurisdiction=5301&status=closed"))["items"].AsArray());
        Assert.Empty((await Client.Get("/api/inspections?status=open"))["items"].AsArray());
    }

    [Fact]
    public async Task A_finding_and_its_alerts_name_the_department_of_the_inspector_who_recorded_it()
    {
        var home = await Client.Register(Scenario.CareHome("联合检查养老院"));
        // Opened by health; the fire-safety finding is civil affairs'.
        var opened = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Joint, [home],
            [Department.Health, Department.CivilAffairs], ["王卫", "李民"], D(2023, 3, 1)))).ShouldBe(HttpStatusCode.Created);
        var civil = Fixture.Tokens.For("li-civil", Department.CivilAffairs, Role.Inspector, "530111");
        var fire = (await Client.Post($"/api/inspections/{opened.Id}/findings", new RecordFinding(home, FindingCategory.FireSafety, Severity.Major, 4,
            "消防通道堵塞", D(2023, 3, 15), D(2023, 3, 1)), bearer: civil)).ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        var drugs = (await Client.Post($"/api/inspections/{opened.Id}/findings", new RecordFinding(home, FindingCategory.DrugUse, Severity.Minor, 1,
            "药品过期", D(2023, 3, 15), D(2023, 3, 1)))).ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        await Fixture.Projected();

        var findings = (await Client.Get($"/api/inspections/{opened.Id}"))["findings"].AsArray();
        Assert.Equal("civil-affairs", findings.Single(f => f!["id"]!.GetValue<Guid>() == fire)!["department"]!.GetValue<string>());
        Assert.Equal("health", findings.Single(f => f!["id"]!.GetValue<Guid>() == drugs)!["department"]!.GetValue<string>());

        var overdue = (await Client.Get("/api/alerts?type=rectification-overdue&asOf=2023-03-16"))["items"].AsArray();
        Assert.Equal("civil-affairs", overdue.Single(a => a!["findingId"]!.GetValue<Guid>() == fire)!["department"]!.GetValue<string>());
        Assert.Equal("health", overdue.Single(a => a!["findingId"]!.GetValue<Guid>() == drugs)!["department"]!.GetValue<string>());
        var open = (await Client.Get($"/api/institutions/{home}?asOf=2023-03-16"))["openRectifications"].AsArray();
        Assert.Equal("civil-affairs", open.Single(o => o!["findingId"]!.GetValue<Guid>() == fire)!["department"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_report_in_time_verified_late_is_never_overdue_and_waits_in_the_departments_queue()
    {
        var home = await Client.Register(Scenario.CareHome("按期整改养老院"));
        var id = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [home], [Department.CivilAffairs], ["张民"], D(2023, 3, 1)))).Id;
        var finding = (await Client.Post($"/api/inspections/{id}/findings", new RecordFinding(home, FindingCategory.FireSafety, Severity.Major, 4, "灭火器过期",
            D(2023, 3, 15), D(2023, 3, 1))))["findingId"].GetValue<Guid>();
        (await Client.Post($"/api/inspections/{id}/findings/{finding}/rectification", new ReportRectification(D(2023, 3, 10), "已更换"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/inspections/{id}/findings/{finding}/verification", new VerifyRectification(D(2023, 3, 25), VerificationOutcome.Accepted, null)))
            .ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();

        Assert.Empty((await Client.Get("/api/alerts?type=rectification-overdue&asOf=2023-03-20"))["items"].AsArray());
        var pending = Assert.Single((await Client.Get("/api/alerts?type=verification-pending&asOf=2023-03-20"))["items"].AsArray())!;
        Assert.Equal((finding, id, "civil-affairs", "2023-03-10", "2023-03-15"), (pending["findingId"]!.GetValue<Guid>(), pending["inspectionId"]!.GetValue<Guid>(),
            pending["department"]!.GetValue<string>(), pending["since"]!.GetValue<string>(), pending["dueOn"]!.GetValue<string>()));
        Assert.Empty((await Client.Get("/api/alerts?type=verification-pending&asOf=2023-03-25"))["items"].AsArray());

        var view = await Client.Get($"/api/institutions/{home}?asOf=2023-03-20");
        var open = Assert.Single(view["openRectifications"].AsArray())!;
        Assert.Equal((false, true), (open["overdue"]!.GetValue<bool>(), open["awaitingVerification"]!.GetValue<bool>()));
        Assert.Equal(["verification-pending"], view["alerts"].AsArray().Select(a => a!.GetValue<string>()).Where(a => a.Contains("rectification") || a.Contains("verification")));
        var shown = Assert.Single((await Client.Get($"/api/inspections/{id}?asOf=2023-03-20"))["findings"].AsArray())!;
        Assert.Equal((false, true), (shown["overdue"]!.GetValue<bool>(), shown["awaitingVerification"]!.GetValue<bool>()));
        var table = (await Client.Get("/api/statistics/integrated-care?jurisdiction=530111&asOf=2023-03-20"))["figures"].AsArray();
        Assert.Equal(0, table.Single(f => f!["key"]!.GetValue<string>() == "rectifications-overdue")!["value"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_inspection_shows_each_findings_department_and_its_dispute_as_it_stood_on_the_day()
    {
        var home = await Client.Register(Scenario.CareHome());
        var id = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.SpotCheck, [home], [Department.Health], ["王"], D(2023, 3, 1)))).Id;
        var finding = (await Client.Post($"/api/inspections/{id}/findings", new RecordFinding(home, FindingCategory.DrugUse, Severity.Major, 8, "过期药品", null, D(2023, 3, 2))))
            ["findingId"].GetValue<Guid>();
        (await Client.Post($"/api/inspections/{id}/findings/{finding}/dispute", new DisputeFinding(D(2023, 3, 5), "药品在有效期内"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/inspections/{id}/findings/{finding}/dispute/decision", new DecideDispute(DisputeOutcome.PointsChanged, 2, "复议决定书〔2023〕3号", D(2023, 3, 10))))
            .ShouldBe(HttpStatusCode.OK);

        async Task<System.Text.Json.Nodes.JsonNode> FindingOn(string day) =>
            Assert.Single((await Client.Get($"/api/inspections/{id}?asOf={day}")).ShouldBe(HttpStatusCode.OK)["findings"].AsArray())!;
        var before = await FindingOn("2023-03-04");
        Assert.Equal(("health", 8, 8, "none"), (before["department"]!.GetValue<string>(), before["demeritPoints"]!.GetValue<int>(), before["originalPoints"]!.GetValue<int>(),
            before["dispute"]!.GetValue<string>()));
        Assert.Empty(before["disputes"]!.AsArray());

        var pending = await FindingOn("2023-03-07");
        Assert.Equal("pending", pending["dispute"]!.GetValue<string>());
        var filed = Assert.Single(pending["disputes"]!.AsArray())!;
        Assert.Equal(("2023-03-05", "药品在有效期内"), (filed["filedOn"]!.GetValue<string>(), filed["grounds"]!.GetValue<string>()));
        Assert.Null(filed["outcome"]);
        Assert.Null(filed["decidedOn"]);

        var decided = await FindingOn("2023-03-10");
        Assert.Equal(("decided", 2, 8), (decided["dispute"]!.GetValue<string>(), decided["demeritPoints"]!.GetValue<int>(), decided["originalPoints"]!.GetValue<int>()));
        var outcome = Assert.Single(decided["disputes"]!.AsArray())!;
        Assert.Equal(("points-changed", 2, "复议决定书〔2023〕3号", "2023-03-10", "药品在有效期内"), (outcome["outcome"]!.GetValue<string>(), outcome["demeritPoints"]!.GetValue<int>(),
            outcome["basis"]!.GetValue<string>(), outcome["decidedOn"]!.GetValue<string>(), outcome["grounds"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Points_cross_the_threshold_and_an_overturned_finding_leaves_the_sum()
    {
        var home = await Client.Register(Scenario.CareHome());
        var id = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.SpotCheck, [home], [Department.Health], ["王"], D(2023, 1, 1)))).Id;
        var first = (await Client.Post($"/api/inspections/{id}/findings", new RecordFinding(home, FindingCategory.Staffing, Severity.Major, 8, "护理人员不足", null, D(2023, 1, 10))))["findingId"].GetValue<Guid>();
        await Client.Post($"/api/inspections/{id}/findings", new RecordFinding(home, FindingCategory.Hygiene, Severity.Major, 5, "厨房卫生", null, D(2023, 2, 10)));

        var crossed = await Client.Get($"/api/institutions/{home}?asOf=2023-03-01");
        Assert.Equal(13, crossed["demeritPoints"].GetValue<int>());
        Assert.Contains("demerit-threshold", crossed["alerts"].AsArray().Select(a => a!.GetValue<string>()));

        (await Client.Post($"/api/inspections/{id}/findings/{first}/dispute", new DisputeFinding(D(2023, 3, 5), "排班表证明人员充足"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/inspections/{id}/findings/{first}/dispute/decision", new DecideDispute(DisputeOutcome.Overturned, null, "复议决定书", D(2023, 4, 1)))).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(13, (await Client.Get($"/api/institutions/{home}?asOf=2023-03-31"))["demeritPoints"].GetValue<int>());
        Assert.Equal(5, (await Client.Get($"/api/institutions/{home}?asOf=2023-04-01"))["demeritPoints"].GetValue<int>());
        Assert.Equal(0, (await Client.Get($"/api/institutions/{home}?asOf=2024-02-10"))["demeritPoints"].GetValue<int>());
        Assert.Equal(5, (await Client.Get($"/api/institutions/{home}?asOf=2024-02-09"))["demeritPoints"].GetValue<int>());

        // Enforcement answering a finding names it; a finding of another institution is refused.
        (await Client.Post($"/api/institutions/{home}/enforcement", new CareRegistry.Permits.RecordEnforcement(
            CareRegistry.Permits.EnforcementAction.Warning, null, null, "警告决定书", D(2023, 4, 2), first))).ShouldBe(HttpStatusCode.OK);
        var warned = (await Client.Get($"/api/institutions/{home}/history?order=recorded"))["items"].AsArray()[^1]!;
        Assert.Equal(first, warned["data"]!["findingId"]!.GetValue<Guid>());
        (await Client.Post($"/api/institutions/{home}/enforcement", new CareRegistry.Permits.RecordEnforcement(
            CareRegistry.Permits.EnforcementAction.Warning, null, null, "x", D(2023, 4, 2), Guid.NewGuid()))).ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_jurisdiction_sets_its_own_demerit_threshold_from_a_date()
    {
        var home = await Client.Register(Scenario.CareHome(jurisdiction: "530111"));
        var id = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [home], [Department.Health], ["王"], D(2023, 1, 1)))).Id;
        await Client.Post($"/api/inspections/{id}/findings", new RecordFinding(home, FindingCategory.Facilities, Severity.Major, 6, "扶手缺失", null, D(2023, 1, 5)));
        (await Client.Post("/api/jurisdictions/5301/demerit-threshold", new CareRegistry.Jurisdictions.SetDemeritThreshold(6, D(2023, 2, 1), "昆明市卫健委通知"))).ShouldBe(HttpStatusCode.OK);

        string[] Alerts(Answer a) => a["alerts"].AsArray().Select(x => x!.GetValue<string>()).ToArray();
        Assert.DoesNotContain("demerit-threshold", Alerts(await Client.Get($"/api/institutions/{home}?asOf=2023-01-31")));
        Assert.Contains("demerit-threshold", Alerts(await Client.Get($"/api/institutions/{home}?asOf=2023-02-01")));
        var jurisdiction = await Client.Get("/api/jurisdictions/530111?asOf=2023-02-01");
        Assert.Equal((6, "5301"), (jurisdiction["demeritThreshold"].GetValue<int>(), jurisdiction["demeritThresholdSetBy"].GetValue<string>()));
        (await Client.Post("/api/jurisdictions/5301/demerit-threshold", new CareRegistry.Jurisdictions.SetDemeritThreshold(0, D(2023, 2, 1), "x"))).ShouldBeProblem(HttpStatusCode.BadRequest, "threshold");
    }

    [Fact]
    public async Task Bad_inspection_commands_are_problems()
    {
        var home = await Client.Register(Scenario.CareHome());
        (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Joint, [home], [Department.Health], ["王"], D(2023, 1, 1)))).ShouldBeProblem(HttpStatusCode.BadRequest, "departments");
        (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [Guid.NewGuid()], [Department.Health], ["王"], D(2023, 1, 1)))).ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.PostRaw("/api/inspections", """{"kind":"audit","institutionIds":[],"departments":[],"inspectors":[],"openedOn":"2023-01-01"}""")).ShouldBeProblem(HttpStatusCode.BadRequest, "kind");
        var id = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [home], [Department.Health], ["王"], D(2023, 1, 1)))).Id;
        (await Client.Post($"/api/inspections/{id}/findings", new RecordFinding(home, FindingCategory.Other, Severity.Minor, 20, "x", null, null))).ShouldBeProblem(HttpStatusCode.BadRequest, "demeritPoints");
        (await Client.Post($"/api/inspections/{id}/findings/{Guid.NewGuid()}/rectification", new ReportRectification(D(2023, 1, 5), "x"))).ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Post($"/api/inspections/{Guid.NewGuid()}/close", new CloseInspection(D(2023, 1, 5), "x"))).ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Get("/api/inspections?status=pending")).ShouldBeProblem(HttpStatusCode.BadRequest, "status");
    }
}
