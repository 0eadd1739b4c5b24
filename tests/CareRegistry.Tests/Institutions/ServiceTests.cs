using System.Net;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace CareRegistry.Tests.Institutions;

// Given events, when a command, then events or a problem: no host, no database.
public class ServiceDecisionTests
{
    private static readonly Guid Id = Guid.CreateVersion7();
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static Institution CentreOf(params object[] events) => events.Aggregate(Institution.Begin(new InstitutionRegistered(Id, "西山社区卫生服务中心", null,
        "12510703DM00000201", InstitutionKind.Medical, MedicalSubtype.CommunityHealthCentre, null, Ownership.Public, "510703", "涪城区", new Beds(0, 30, 0, 0, 0), null, null,
        D(2007, 1, 1))), (state, e) => Institution.Next(state, e)!);

    [Fact]
    public void A_service_is_offered_from_its_date_until_it_stops()
    {
        var started = Assert.IsType<InstitutionServiceChanged>(Assert.Single(new RecordService(CareService.DayCare, true, D(2015, 9, 1), "医养中心投入使用").Decide(CentreOf())));
        var centre = CentreOf(started, new InstitutionServiceChanged(Id, CareService.DayCare, false, D(2020, 1, 1), "停办"));
        Assert.Empty(centre.ServicesOn(D(2015, 8, 31)));
        Assert.Equal([CareService.DayCare], centre.ServicesOn(D(2017, 9, 26)));
        Assert.Empty(centre.ServicesOn(D(2020, 1, 1)));
    }

    [Fact]
    public void Stopping_a_service_not_offered_or_before_the_institution_existed_is_refused()
    {
        Assert.Equal(StatusCodes.Status409Conflict, new RecordService(CareService.Hospice, false, D(2016, 1, 1), "x").Check(CentreOf()).Status);
        Assert.Equal(StatusCodes.Status409Conflict, new RecordService(CareService.Hospice, true, D(2000, 1, 1), "x").Check(CentreOf()).Status);
        Assert.Same(WolverineContinue.NoProblems, new RecordService(CareService.Hospice, true, D(2016, 1, 1), "x").Check(CentreOf()));
        var empty = (HttpValidationProblemDetails)new RecordService(null, null, null, null).Validate();
        Assert.Equal(["basis", "effectiveOn", "offered", "service"], empty.Errors.Keys.Order());
        Assert.Equal(Department.CivilAffairs, CareServices.OwnerOf(CareService.DayCare));
        Assert.Equal(Department.Health, CareServices.OwnerOf(CareService.HomeSickbeds));
    }
}

public class ServiceHttpTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    [Fact]
    public async Task A_service_shows_in_the_view_history_search_and_table_and_belongs_to_its_department()
    {
        var centre = await Client.Register(Scenario.Hospital("仙桃街道社区卫生服务中心", "500112"));
        (await Client.Post($"/api/institutions/{centre}/services", new RecordService(CareService.HomeSickbeds, true, D(2023, 1, 1), "家庭病床"))).ShouldBe(HttpStatusCode.OK);
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        (await Client.Post($"/api/institutions/{centre}/services", new RecordService(CareService.HomeVisits, true, D(2022, 1, 1), "上门巡诊"))).ShouldBe(HttpStatusCode.OK);

        var view = (await Client.Get($"/api/institutions/{centre}?asOf=2024-05-17")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(["home-sickbeds", "home-visits"], view["services"].AsArray().Select(s => s!.GetValue<string>()).Order());
        Assert.Contains((await Client.Get($"/api/institutions/{centre}/history"))["items"].AsArray(), h => h!["type"]!.GetValue<string>() == "institution-service-changed");

        await Fixture.Projected();
        Assert.Single((await Client.Get("/api/institutions?jurisdiction=500112&service=home-visits&asOf=2024-05-17"))["items"].AsArray());
        Assert.Empty((await Client.Get($"/api/institutions?jurisdiction=500112&service=home-visits&asOf=2024-05-17&recordedAsOf={Uri.EscapeDataString(before.ToString("O"))}"))["items"].AsArray());
        Assert.Empty((await Client.Get("/api/institutions?jurisdiction=500112&service=home-sickbeds&asOf=2022-06-01"))["items"].AsArray());
        (await Client.Get("/api/institutions?service=sickbeds")).ShouldBeProblem(HttpStatusCode.BadRequest, "service");
        var figures = (await Client.Get("/api/statistics/integrated-care?jurisdiction=500112&asOf=2024-05-17")).ShouldBe(HttpStatusCode.OK)["figures"].AsArray();
        Assert.Equal(1, figures.Single(f => f!["key"]!.GetValue<string>() == "services-home-sickbeds")!["value"]!.GetValue<decimal>());

        var civil = Fixture.Tokens.For("civil", Department.CivilAffairs, Role.Officer);
        (await Client.Post($"/api/institutions/{centre}/services", new RecordService(CareService.Hospice, true, D(2023, 1, 1), "x"), bearer: civil)).ShouldBe(HttpStatusCode.Forbidden);
        (await Client.Post($"/api/institutions/{centre}/services", new RecordService(CareService.DayCare, true, D(2023, 1, 1), "日间照料"), bearer: civil)).ShouldBe(HttpStatusCode.OK);
    }
}
