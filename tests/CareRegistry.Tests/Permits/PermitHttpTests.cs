using System.Net;
using CareRegistry.Jurisdictions;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Permits;

public class PermitHttpTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private async Task<string> StatusOn(Guid institution, Guid permit, string day) =>
        (await Client.Get($"/api/institutions/{institution}/permits/{permit}?asOf={day}")).ShouldBe(HttpStatusCode.OK)["status"].GetValue<string>();

    [Fact]
    public async Task An_approval_is_202_pending_then_granted_and_every_lifecycle_step_answers()
    {
        var hospital = await Client.Register(Scenario.Hospital());
        var submitted = (await Client.Submit(hospital, PermitType.MedicalPractice, D(2015, 1, 10))).ShouldBe(HttpStatusCode.Accepted);
        Assert.Equal("pending", submitted["status"].GetValue<string>());
        Assert.Equal($"/api/institutions/{hospital}/permits/{submitted.Id}", submitted.Headers.Location?.ToString());
        var permit = submitted.Id;
        var url = $"/api/institutions/{hospital}/permits/{permit}";

        (await Client.Grant(hospital, permit, D(2015, 3, 1), D(2020, 12, 31))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{url}/renewal", new RenewPermit(D(2020, 12, 1), D(2025, 12, 31), "校验"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{url}/suspension", new SuspendPermit(D(2022, 1, 1), "drug storage"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{url}/reinstatement", new ReinstatePermit(D(2022, 3, 1), "rectified"))).ShouldBe(HttpStatusCode.OK);
        var revoked = (await Client.Post($"{url}/revocation", new RevokePermit(D(2023, 1, 1), "unlicensed practitioners"), ifMatch: "\"5\"")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(6, revoked.Version);

        Assert.Equal("pending", await StatusOn(hospital, permit, "2015-02-01"));
        Assert.Equal("active", await StatusOn(hospital, permit, "2021-06-01"));
        Assert.Equal("suspended", await StatusOn(hospital, permit, "2022-02-01"));
        Assert.Equal("active", await StatusOn(hospital, permit, "2022-06-01"));
        Assert.Equal("revoked", await StatusOn(hospital, permit, "2023-06-01"));

        // Inapplicable transitions: 409 with a reason, and nothing written.
        var renewRevoked = (await Client.Post($"{url}/renewal", new RenewPermit(D(2024, 1, 1), D(2030, 1, 1), null))).ShouldBeProblem(HttpStatusCode.Conflict);
        Assert.Contains("it is revoked", renewRevoked["detail"].GetValue<string>());
        (await Client.Grant(hospital, permit, D(2024, 1, 1))).ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Post($"{url}/correction-request", new RequestFilingCorrection(D(2016, 1, 1), D(2016, 2, 1), "x"))).ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Post($"{url}/reinstatement", new ReinstatePermit(D(2024, 1, 1), null), ifMatch: "\"3\"")).ShouldBeProblem(HttpStatusCode.PreconditionFailed);
        Assert.Equal(6, (await Client.Get(url))["version"].GetValue<long>());
    }

    [Fact]
    public async Task A_filing_is_201_active_at_once_and_reviewed_afterwards()
    {
        await Client.Regime("00", PermitType.InternalClinic, Regime.Filing, D(2017, 11, 8));
        var home = await Client.Register(Scenario.CareHome(jurisdiction: "500112"));
        var filed = (await Client.Submit(home, PermitType.InternalClinic, D(2019, 3, 1))).ShouldBe(HttpStatusCode.Created);
        Assert.Equal("active", filed["status"].GetValue<string>());
        var url = $"/api/institutions/{home}/permits/{filed.Id}";

        (await Client.Post($"{url}/correction-request", new RequestFilingCorrection(D(2019, 4, 1), D(2019, 5, 1), "缺少护士执业证书"))).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("correction-requested", await StatusOn(home, filed.Id, "2019-04-15"));
        (await Client.Post($"{url}/correction", new CorrectFiling(D(2019, 4, 20), "补正完成"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"{url}/correction", new CorrectFiling(D(2019, 4, 25), null))).ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Post($"{url}/cancellation", new CancelFiling(D(2020, 1, 1), "停止执业"))).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("cancelled", await StatusOn(home, filed.Id, "2020-06-01"));
        (await Client.Grant(home, filed.Id, D(2020, 2, 1))).ShouldBeProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_regime_in_force_on_the_effective_date_at_the_nearest_level_decides()
    {
        await Client.Regime("00", PermitType.InternalClinic, Regime.Filing, D(2017, 11, 8));
        await Client.Regime("53", PermitType.InternalClinic, Regime.Approval, D(2018, 1, 1));
        await Client.Regime("5301", PermitType.InternalClinic, Regime.Filing, D(2018, 9, 1));
        await Client.Regime("530111", PermitType.InternalClinic, Regime.Approval, D(2019, 1, 1));

        async Task<string> PathFor(string district, DateOnly on)
        {
            var home = await Client.Register(Scenario.CareHome(jurisdiction: district));
            return (await Client.Submit(home, PermitType.InternalClinic, on))["status"].GetValue<string>();
        }

        Assert.Equal("pending", await PathFor("500112", D(2017, 11, 7)));   // before the national reform
        Assert.Equal("active", await PathFor("500112", D(2017, 11, 8)));    // nation, from its date
        Assert.Equal("pending", await PathFor("520102", D(2016, 1, 1)));
        Assert.Equal("active", await PathFor("530112", D(2017, 12, 1)));    // nation, province not yet
        Assert.Equal("pending", await PathFor("530112", D(2018, 6, 1)));    // province over nation
        Assert.Equal("active", await PathFor("530112", D(2018, 10, 1)));    // city over province
        Assert.Equal("active", await PathFor("530111", D(2018, 12, 31)));   // city, district not yet
        Assert.Equal("pending", await PathFor("530111", D(2019, 1, 1)));    // district over city

        var view = (await Client.Get("/api/jurisdictions/530111?asOf=2019-06-01")).ShouldBe(HttpStatusCode.OK);
        var clinic = view["regimes"].AsArray().Single(r => r!["permitType"]!.GetValue<string>() == "internal-clinic")!;
        Assert.Equal("approval", clinic["regime"]!.GetValue<string>());
        Assert.Equal("530111", clinic["decidedBy"]!.GetValue<string>());
        Assert.Equal(4, view["history"].AsArray().Count);
        (await Client.Get("/api/jurisdictions/5301x")).ShouldBeProblem(HttpStatusCode.BadRequest, "code");
    }

    [Fact]
    public async Task Pending_applications_are_kept_or_converted_as_the_regime_says()
    {
        var kept = await Client.Register(Scenario.CareHome(jurisdiction: "500112"));
        var converted = await Client.Register(Scenario.CareHome(jurisdiction: "530111"));
        var keptPermit = (await Client.Submit(kept, PermitType.InternalClinic, D(2017, 6, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        var convertedPermit = (await Client.Submit(converted, PermitType.InternalClinic, D(2017, 6, 1))).ShouldBe(HttpStatusCode.Accepted).Id;

        await Client.Regime("500112", PermitType.InternalClinic, Regime.Filing, D(2017, 11, 8), PendingApplications.Keep);
        await Client.Regime("53", PermitType.InternalClinic, Regime.Filing, D(2017, 11, 8), PendingApplications.Convert);

        Assert.Equal("pending", await StatusOn(kept, keptPermit, "2018-01-01"));
        (await Client.Grant(kept, keptPermit, D(2018, 1, 15))).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("active", await StatusOn(kept, keptPermit, "2018-02-01"));

        Assert.Equal("pending", await StatusOn(converted, convertedPermit, "2017-11-07"));
        Assert.Equal("active", await StatusOn(converted, convertedPermit, "2017-11-08"));
        var permit = await Client.Get($"/api/institutions/{converted}/permits/{convertedPermit}");
        Assert.Equal("filing", permit["regime"].GetValue<string>());
    }

    [Fact]
    public async Task An_application_recorded_after_a_regime_change_is_settled_by_it()
    {
        // The national reform is already recorded when an application dated before it arrives.
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29), PendingApplications.Convert);
        var home = await Client.Register(Scenario.CareHome());
        var submitted = (await Client.Submit(home, PermitType.ElderlyCare, D(2018, 10, 1))).ShouldBe(HttpStatusCode.Accepted);
        Assert.Equal(("pending", "2018-12-29", 2L), (submitted["status"].GetValue<string>(), submitted["convertedOn"].GetValue<string>(), submitted.Version));
        Assert.Equal("pending", await StatusOn(home, submitted.Id, "2018-12-28"));
        Assert.Equal("active", await StatusOn(home, submitted.Id, "2019-01-15"));
        var permit = (await Client.Get($"/api/institutions/{home}/permits/{submitted.Id}")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(("filing", "2018-12-29"), (permit["regime"].GetValue<string>(), permit["convertedOn"].GetValue<string>()));

        var grant = (await Client.Grant(home, submitted.Id, D(2019, 2, 1))).ShouldBeProblem(HttpStatusCode.Conflict);
        Assert.Contains("converted to a filing on 2018-12-29", grant["detail"].GetValue<string>());
        await Fixture.Projected();
        Assert.Empty((await Client.Get("/api/institutions?permitType=elderly-care&permitStatus=pending&asOf=2019-01-15"))["items"].AsArray());
        Assert.Single((await Client.Get("/api/institutions?permitType=elderly-care&permitStatus=active&asOf=2019-01-15"))["items"].AsArray());
    }

    [Fact]
    public async Task A_regime_change_recorded_after_a_later_decision_still_converts_the_application_pending_on_its_date()
    {
        var home = await Client.Register(Scenario.CareHome());
        var application = (await Client.Submit(home, PermitType.ElderlyCare, D(2018, 10, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await Client.Grant(home, application, D(2019, 2, 1))).ShouldBe(HttpStatusCode.OK);
        var beforeTheChange = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        await Task.Delay(50);
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29), PendingApplications.Convert);

        Assert.Equal("active", await StatusOn(home, application, "2019-01-15"));
        var permit = await Client.Get($"/api/institutions/{home}/permits/{application}");
        Assert.Equal(("filing", "2018-12-29"), (permit["regime"].GetValue<string>(), permit["convertedOn"].GetValue<string>()));
        // As recorded before the change: the approval, pending until its grant.
        var then = await Client.Get($"/api/institutions/{home}/permits/{application}?asOf=2019-01-15&recordedAsOf={beforeTheChange}");
        Assert.Equal(("pending", "approval"), (then["status"].GetValue<string>(), then["regime"].GetValue<string>()));
        var viewThen = await Client.Get($"/api/institutions/{home}?asOf=2019-01-15&recordedAsOf={beforeTheChange}");
        Assert.Equal("pending", viewThen["permits"][0]!["status"]!.GetValue<string>());
        var history = (await Client.Get($"/api/institutions/{home}/history?order=recorded"))["items"].AsArray();
        Assert.Equal("pending-application-converted-to-filing", history[^1]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Integrated_status_is_derived_and_a_revoked_licence_ends_it_from_that_date()
    {
        var home = await Client.Register(Scenario.CareHome());
        var care = (await Client.Submit(home, PermitType.ElderlyCare, D(2016, 1, 1))).Id;
        await Client.Grant(home, care, D(2016, 3, 1));
        var licence = (await Client.Submit(home, PermitType.MedicalPractice, D(2017, 1, 1))).Id;
        await Client.Grant(home, licence, D(2017, 4, 1), D(2030, 1, 1));
        (await Client.Post($"/api/institutions/{home}/enforcement",
            new RecordEnforcement(EnforcementAction.PermitRevocation, licence, null, "卫健执法〔2021〕12号", D(2021, 7, 1), null))).ShouldBe(HttpStatusCode.OK);

        async Task<(bool, string?)> Integrated(string day)
        {
            var view = (await Client.Get($"/api/institutions/{home}?asOf={day}")).ShouldBe(HttpStatusCode.OK);
            return (view["integrated"].GetValue<bool>(), view.Body!["integratedModel"]?.GetValue<string>());
        }

        Assert.Equal((false, null), await Integrated("2017-03-31"));
        Assert.Equal((true, "care-with-medical"), await Integrated("2017-04-01"));
        Assert.Equal((false, null), await Integrated("2021-07-01"));
        var revoked = await Client.Get($"/api/institutions/{home}/permits/{licence}");
        Assert.Equal("revoked", revoked["status"].GetValue<string>());
    }

    [Fact]
    public async Task Kinds_must_fit_and_a_designation_needs_a_licence()
    {
        var hospital = await Client.Register(Scenario.Hospital());
        (await Client.Submit(hospital, PermitType.InternalClinic, D(2020, 1, 1))).ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Submit(hospital, PermitType.ElderlyCare, D(2020, 1, 1))).ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Submit(hospital, PermitType.InsuranceDesignation, D(2020, 1, 1))).ShouldBeProblem(HttpStatusCode.Conflict);
        var licence = (await Client.Submit(hospital, PermitType.MedicalPractice, D(2019, 1, 1))).Id;
        await Client.Grant(hospital, licence, D(2019, 3, 1));
        (await Client.Submit(hospital, PermitType.InsuranceDesignation, D(2020, 1, 1))).ShouldBe(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Bad_permit_commands_are_problems_and_write_nothing()
    {
        var home = await Client.Register(Scenario.CareHome());
        var other = await Client.Register(Scenario.CareHome("另一家"));
        var permit = (await Client.Submit(home, PermitType.ElderlyCare, D(2016, 1, 1))).Id;

        (await Client.PostRaw($"/api/institutions/{home}/permits", """{"type":"licence","effectiveOn":"2016-01-01"}""")).ShouldBeProblem(HttpStatusCode.BadRequest, "type");
        (await Client.Post($"/api/institutions/{home}/permits", new SubmitPermit(PermitType.ElderlyCare, null, D(2016, 1, 1), D(2015, 1, 1), null)))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "expiresOn");
        (await Client.Submit(Guid.NewGuid(), PermitType.ElderlyCare, D(2016, 1, 1))).ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Submit(home, PermitType.ElderlyCare, D(2010, 1, 1))).ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Grant(other, permit, D(2016, 2, 1))).ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Grant(home, Guid.NewGuid(), D(2016, 2, 1))).ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Post($"/api/institutions/{home}/permits/{permit}/decision", new DecideApplication(Decision.Refused, D(2016, 2, 1), null, null, null)))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "reason");
        (await Client.Post($"/api/institutions/{home}/enforcement", new RecordEnforcement(EnforcementAction.Fine, null, null, "x", D(2020, 1, 1), null)))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "amount");
        Assert.Equal("pending", await StatusOn(home, permit, "2020-01-01"));
        Assert.Equal(1, (await Client.Get($"/api/institutions/{home}/permits/{permit}"))["version"].GetValue<long>());
    }

    [Fact]
    public async Task History_merges_permit_events_with_their_department_and_places_late_entries_by_date()
    {
        var home = await Client.Register(Scenario.CareHome());
        (await Client.Post($"/api/institutions/{home}/operator", new CareRegistry.Institutions.ChangeOperator("吉林省幸福里养老服务有限责任公司", D(2019, 3, 27), "公开招标"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{home}/enforcement", new RecordEnforcement(EnforcementAction.Warning, null, null, "消防检查", D(2020, 5, 1), null))).ShouldBe(HttpStatusCode.OK);
        // Recorded last, effective first: a permit from 2016 entered late.
        var permit = (await Client.Submit(home, PermitType.ElderlyCare, D(2016, 1, 1))).Id;

        var items = (await Client.Get($"/api/institutions/{home}/history"))["items"].AsArray();
        Assert.Equal(["institution-registered", "permit-application-submitted", "institution-operator-changed", "institution-warned"],
            items.Select(i => i!["type"]!.GetValue<string>()));
        Assert.Equal("civil-affairs", items[1]!["department"]!.GetValue<string>());
        Assert.Equal(permit, Guid.Parse(items[1]!["streamId"]!.GetValue<string>()));

        var recorded = (await Client.Get($"/api/institutions/{home}/history?order=recorded"))["items"].AsArray();
        Assert.Equal("permit-application-submitted", recorded[^1]!["type"]!.GetValue<string>());
        var view = await Client.Get($"/api/institutions/{home}");
        Assert.Equal("吉林省幸福里养老服务有限责任公司", view["operator"].GetValue<string>());
    }
}
