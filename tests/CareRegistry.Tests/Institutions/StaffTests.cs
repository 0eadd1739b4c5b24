using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Common;
using CareRegistry.Designations;
using CareRegistry.Institutions;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace CareRegistry.Tests.Institutions;

// Given events, when a command, then events or a problem: no host, no database.
public class StaffDecisionTests
{
    private static readonly Guid Id = Guid.CreateVersion7();
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static Institution Home() => Institution.Begin(new InstitutionRegistered(Id, "广福养老中心", null, "52530112DM00000117", InstitutionKind.ElderlyCare,
        null, null, Ownership.Private, "530112", "西山区", new Beds(300, 0, 80, 0, 0), null, null, D(2014, 6, 1)));

    [Fact]
    public void A_staff_report_stands_until_the_next_one()
    {
        var first = Assert.IsType<InstitutionStaffReported>(Assert.Single(new ReportStaff(1, 2, 20, 12, D(2020, 1, 1), "报表").Decide(Home())));
        var second = Assert.IsType<InstitutionStaffReported>(Assert.Single(new ReportStaff(2, 3, 24, 20, D(2022, 1, 1), "报表").Decide(Home())));
        var home = Institution.Next(Institution.Next(Home(), second), first)!;   // recorded late, placed by its date
        Assert.Null(home.StaffOn(D(2019, 12, 31)));
        Assert.Equal(1, home.StaffOn(D(2021, 6, 1))!.Doctors);
        Assert.True(home.StaffOn(D(2022, 10, 19))!.MeetsPilotRule);
        Assert.False(home.StaffOn(D(2021, 6, 1))!.MeetsPilotRule);
    }

    [Fact]
    public void A_report_is_refused_with_more_certified_than_care_workers_or_before_the_institution_existed()
    {
        var problem = (HttpValidationProblemDetails)new ReportStaff(2, 2, 5, 6, D(2020, 1, 1), "报表").Validate();
        Assert.Contains("certifiedCareWorkers", problem.Errors.Keys);
        var empty = (HttpValidationProblemDetails)new ReportStaff(null, null, null, null, null, null).Validate();
        Assert.Equal(["careWorkers", "certifiedCareWorkers", "doctors", "effectiveOn", "nurses", "source"], empty.Errors.Keys.Order());
        Assert.Equal(StatusCodes.Status409Conflict, new ReportStaff(2, 2, 5, 5, D(2010, 1, 1), "报表").Check(Home()).Status);
        Assert.Same(WolverineContinue.NoProblems, new ReportStaff(2, 2, 5, 5, D(2020, 1, 1), "报表").Check(Home()));
    }

    [Fact]
    public void A_pilot_without_two_doctors_and_two_nurses_raises_an_alert_for_health()
    {
        var pilot = Institution.Next(Home(), new InstitutionDesignated(Id, Programme.IntegratedCarePilot, DesignationLevel.City, "昆明市卫生健康委", D(2017, 1, 1), null, "试点"))!;
        pilot = Institution.Next(pilot, new InstitutionStaffReported(Id, 1, 2, 20, 12, D(2018, 1, 1), "报表"))!;
        pilot = Institution.Next(pilot, new InstitutionStaffReported(Id, 2, 2, 22, 15, D(2019, 1, 1), "报表"))!;
        var standing = new InstitutionStanding { Id = Id, Institution = pilot };
        var alerts = standing.Derive().Where(f => f.Fact == Facts.Alert && f.Label == AlertTypes.PilotUnderstaffed).Select(f => (f.ValidFrom, f.ValidTo, f.Department)).ToList();
        // No report before 2018, one doctor in 2018: unmet until the 2019 report.
        Assert.Equal([(D(2017, 1, 1), (DateOnly?)D(2019, 1, 1), "health")], alerts);
    }
}

public class StaffHttpTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private async Task<Dictionary<string, JsonNode>> Table(string query)
    {
        await Fixture.Projected();
        return (await Client.Get($"/api/statistics/integrated-care?{query}")).ShouldBe(HttpStatusCode.OK)["figures"].AsArray()
            .ToDictionary(f => f!["key"]!.GetValue<string>(), f => f!);
    }

    [Fact]
    public async Task Staff_is_reported_by_health_and_shows_in_the_view_history_table_and_alerts_on_both_clocks()
    {
        var home = await Client.Register(Scenario.CareHome("广福养老中心", "530112"));
        (await Client.Post($"/api/institutions/{home}/designations", new RecordDesignation(Programme.IntegratedCarePilot, DesignationLevel.City, "昆明市卫生健康委",
            D(2017, 1, 1), null, "西卫函〔2022〕78号"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{home}/staff", new ReportStaff(1, 2, 20, 12, D(2020, 1, 1), "2020年报表"))).ShouldBe(HttpStatusCode.OK);
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        (await Client.Post($"/api/institutions/{home}/staff", new ReportStaff(2, 3, 24, 20, D(2022, 1, 1), "2022年报表"))).ShouldBe(HttpStatusCode.OK);

        var view = (await Client.Get($"/api/institutions/{home}?asOf=2022-10-19")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal((2, 3, 24, 20), (view["staff"]["doctors"]!.GetValue<int>(), view["staff"]["nurses"]!.GetValue<int>(),
            view["staff"]["careWorkers"]!.GetValue<int>(), view["staff"]["certifiedCareWorkers"]!.GetValue<int>()));
        Assert.Contains((await Client.Get($"/api/institutions/{home}/history"))["items"].AsArray(), h => h!["type"]!.GetValue<string>() == "institution-staff-reported");

        var t = await Table("jurisdiction=530112&asOf=2022-10-19");
        Assert.Equal((2m, 3m, 24m, 20m), (t["staff-doctors"]["value"]!.GetValue<decimal>(), t["staff-nurses"]["value"]!.GetValue<decimal>(),
            t["staff-care-workers"]["value"]!.GetValue<decimal>(), t["staff-care-workers-certified"]["value"]!.GetValue<decimal>()));
        Assert.Equal(0, t["pilots-understaffed"]["value"]!.GetValue<decimal>());
        Assert.Equal(1, (await Table("jurisdiction=530112&asOf=2021-06-01"))["pilots-understaffed"]["value"]!.GetValue<decimal>());
        // As recorded before the 2022 report, the pilot was still short of a doctor in October 2022.
        var then = await Table($"jurisdiction=530112&asOf=2022-10-19&recordedAsOf={Uri.EscapeDataString(before.ToString("O"))}");
        Assert.Equal(1, then["pilots-understaffed"]["value"]!.GetValue<decimal>());

        var alerts = (await Client.Get("/api/alerts?jurisdiction=530112&type=pilot-understaffed&asOf=2021-06-01")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        Assert.Equal(("health", home), (alerts.Single()!["department"]!.GetValue<string>(), alerts.Single()!["institutionId"]!.GetValue<Guid>()));
    }

    [Fact]
    public async Task Staff_reports_belong_to_health()
    {
        var home = await Client.Register(Scenario.CareHome("某养老院", "530112"));
        var civil = Fixture.Tokens.For("civil", Department.CivilAffairs, Role.Officer);
        (await Client.Post($"/api/institutions/{home}/staff", new ReportStaff(2, 2, 10, 5, D(2020, 1, 1), "报表"), bearer: civil)).ShouldBe(HttpStatusCode.Forbidden);
        (await Client.Post($"/api/institutions/{home}/staff", new ReportStaff(2, 2, 5, 6, D(2020, 1, 1), "报表"))).ShouldBeProblem(HttpStatusCode.BadRequest, "certifiedCareWorkers");
    }
}
