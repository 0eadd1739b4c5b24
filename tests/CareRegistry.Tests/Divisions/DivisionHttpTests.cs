using System.Net;
using CareRegistry.Jurisdictions;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;
using Marten;

namespace CareRegistry.Tests.Divisions;

public class DivisionHttpTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task A_division_answers_its_name_level_parent_and_path()
    {
        var guandu = (await Client.Get("/api/divisions/530111")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("官渡区", guandu["name"].GetValue<string>());
        Assert.Equal("guan du qu", guandu["pinyin"].GetValue<string>());
        Assert.Equal("district", guandu["level"].GetValue<string>());
        Assert.Equal("5301", guandu["parent"].GetValue<string>());
        Assert.Equal(["53 云南省", "5301 昆明市", "530111 官渡区"],
            guandu["path"].AsArray().Select(p => $"{p!["code"]!.GetValue<string>()} {p["name"]!.GetValue<string>()}"));
        Assert.Null(guandu.Body!["validTo"]);

        var yubei = (await Client.Get("/api/divisions/500112")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(["50", "5001", "500112"], yubei["path"].AsArray().Select(p => p!["code"]!.GetValue<string>()));

        var nation = (await Client.Get("/api/divisions/00")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(("中华人民共和国", "nation"), (nation["name"].GetValue<string>(), nation["level"].GetValue<string>()));
        Assert.Empty(nation["path"].AsArray());
    }

    [Fact]
    public async Task An_abolished_division_answers_when_it_ended_and_what_replaced_it()
    {
        var chenggong = (await Client.Get("/api/divisions/530121")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("呈贡县", chenggong["name"].GetValue<string>());
        Assert.Equal("2011-05-19", chenggong["validTo"].GetValue<string>());
        Assert.Equal(["530114"], chenggong["replacedBy"].AsArray().Select(c => c!.GetValue<string>()));
    }

    [Theory]
    [InlineData("530199")]
    [InlineData("999999")]
    [InlineData("5399")]
    [InlineData("530100")]
    public async Task A_code_that_names_no_division_is_404(string code)
    {
        var answer = (await Client.Get($"/api/divisions/{code}")).ShouldBeProblem(HttpStatusCode.NotFound);
        Assert.Contains("GB/T 2260", answer["detail"].GetValue<string>());
    }

    [Theory]
    [InlineData("53011x")]
    [InlineData("531")]
    [InlineData("5301111")]
    public async Task A_malformed_code_is_400_naming_code(string code) =>
        (await Client.Get($"/api/divisions/{code}")).ShouldBeProblem(HttpStatusCode.BadRequest, "code");

    [Fact]
    public async Task Children_are_listed_under_a_parent_and_provinces_under_none()
    {
        var kunming = (await Client.Get("/api/divisions?parent=5301")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("昆明市", kunming["parentName"].GetValue<string>());
        var districts = kunming["items"].AsArray().ToDictionary(i => i!["code"]!.GetValue<string>(), i => i!);
        Assert.Equal("官渡区", districts["530111"]["name"]!.GetValue<string>());
        Assert.Equal("2011-05-19", districts["530121"]["validTo"]!.GetValue<string>());   // abolished ones say so

        var provinces = (await Client.Get("/api/divisions")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        Assert.Equal(34, provinces.Count);
        Assert.All(provinces, p => Assert.Equal("province", p!["level"]!.GetValue<string>()));

        (await Client.Get("/api/divisions?parent=5399")).ShouldBeProblem(HttpStatusCode.BadRequest, "parent");
        (await Client.Get("/api/divisions?parent=53x")).ShouldBeProblem(HttpStatusCode.BadRequest, "parent");
    }

    [Fact]
    public async Task Registering_in_a_district_that_does_not_exist_is_400_naming_jurisdiction_and_writes_nothing()
    {
        var answer = (await Client.Post("/api/institutions", Scenario.CareHome(jurisdiction: "530199"))).ShouldBeProblem(HttpStatusCode.BadRequest, "jurisdiction");
        Assert.Contains("GB/T 2260", answer["errors"]["jurisdiction"]![0]!.GetValue<string>());

        await using var session = Fixture.Store.QuerySession();
        Assert.Equal(0, await session.Events.QueryAllRawEvents().CountAsync());

        await Client.Register(Scenario.CareHome(jurisdiction: "530121"));   // 呈贡县, abolished in 2011: still a division
    }

    [Theory]
    [InlineData("/api/institutions?jurisdiction=530199", "jurisdiction")]
    [InlineData("/api/institutions?jurisdiction=5399", "jurisdiction")]
    [InlineData("/api/statistics/integrated-care?jurisdiction=530199", "jurisdiction")]
    [InlineData("/api/alerts?jurisdiction=99", "jurisdiction")]
    [InlineData("/api/inspections?jurisdiction=530199", "jurisdiction")]
    [InlineData("/api/partnerships?jurisdiction=530199", "jurisdiction")]
    [InlineData("/api/audit/export?jurisdiction=530199", "jurisdiction")]
    [InlineData("/api/jurisdictions/530199", "code")]
    [InlineData("/api/jurisdictions/530000", "code")]
    public async Task Reads_refuse_a_division_that_does_not_exist(string url, string field) =>
        (await Client.Get(url)).ShouldBeProblem(HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task Jurisdiction_rules_refuse_a_division_that_does_not_exist()
    {
        (await Client.Post("/api/jurisdictions/5399/regimes",
            new RecordRegime(PermitType.InternalClinic, Regime.Filing, new DateOnly(2020, 1, 1), "doc", PendingApplications.Keep)))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "code");
        (await Client.Post("/api/jurisdictions/530199/population", new { aged60 = 1000, effectiveOn = "2020-01-01", source = "census" }))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "code");
        (await Client.Post("/api/jurisdictions/530199/demerit-threshold", new { threshold = 6, effectiveOn = "2020-01-01", basis = "doc" }))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "code");
        (await Client.Post("/api/jurisdictions/5001/regimes",
            new RecordRegime(PermitType.InternalClinic, Regime.Filing, new DateOnly(2020, 1, 1), "doc", PendingApplications.Keep)))
            .ShouldBe(HttpStatusCode.OK);
    }
}
