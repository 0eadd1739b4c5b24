using System.Net;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Institutions;

// The care map's answer: a district, or an area of at most 500 institutions, lists its placed institutions; a wider
// area answers its districts' counts and the middle of their placed institutions instead.
public class InstitutionMapTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static readonly LocationInput Guandu = new(25.0220, 102.7460);
    private static readonly LocationInput XishanSeat = new(25.0386, 102.6644, Approximate: true);

    [Fact]
    public async Task A_district_lists_its_placed_institutions_and_counts_the_unplaced()
    {
        var exact = await Client.Register(Scenario.CareHome("地图官渡养老院", "530111") with { Location = Guandu });
        await Client.Register(Scenario.Hospital("地图官渡医院", "530111"));
        await Client.Register(Scenario.CareHome("地图西山养老院", "530112") with { Location = XishanSeat });

        var map = (await Client.Get("/api/institutions/map?jurisdiction=530111")).ShouldBe(HttpStatusCode.OK);
        Assert.True(map["listed"].GetValue<bool>());
        Assert.Equal((2, 1, 1), (map["institutions"].GetValue<int>(), map["placed"].GetValue<int>(), map["unplaced"].GetValue<int>()));
        var item = Assert.Single(map["items"].AsArray())!;
        Assert.Equal((exact.ToString(), "地图官渡养老院", "elderly-care", "530111", 120),
            (item["id"]!.GetValue<string>(), item["name"]!.GetValue<string>(), item["kind"]!.GetValue<string>(), item["jurisdiction"]!.GetValue<string>(), item["totalBeds"]!.GetValue<int>()));
        Assert.Equal((25.0220, 102.7460, false), (item["location"]!["lat"]!.GetValue<double>(), item["location"]!["lon"]!.GetValue<double>(), item["location"]!["approximate"]!.GetValue<bool>()));

        // The city is small here, so it lists too; a kind narrows the counts and the list.
        var city = (await Client.Get("/api/institutions/map?jurisdiction=5301&kind=elderly-care")).ShouldBe(HttpStatusCode.OK);
        Assert.True(city["listed"].GetValue<bool>());
        Assert.Equal(["地图官渡养老院", "地图西山养老院"], city["items"].AsArray().Select(i => i!["name"]!.GetValue<string>()).Order());
        Assert.Equal(["530111:1:1:0", "530112:1:1:1"], city["areas"].AsArray().Select(a =>
            $"{a!["jurisdiction"]}:{a["institutions"]}:{a["placed"]}:{a["approximate"]}"));
    }

    [Fact]
    public async Task A_city_of_more_than_500_institutions_answers_its_districts_counts_and_centres()
    {
        // 501 in Guandu, two of them placed; one placed approximately in Xishan; one unplaced in Chongqing (not asked).
        // (The batch registration records no location, so the placed ones are registered one by one.)
        var batch = Enumerable.Range(2, 499).Select(n => Scenario.CareHome($"地图批量{n:000}养老院", "530111")).ToList();
        (await Client.Post("/api/institutions/batch", new RegisterInstitutions(batch))).ShouldBe(HttpStatusCode.OK);
        await Client.Register(Scenario.CareHome("地图批量000养老院", "530111") with { Location = new LocationInput(25.0, 102.7) });
        await Client.Register(Scenario.CareHome("地图批量001养老院", "530111") with { Location = new LocationInput(25.1, 102.8) });
        await Client.Register(Scenario.CareHome("地图西山养老院", "530112") with { Location = XishanSeat });
        await Client.Register(Scenario.CareHome("地图渝北养老院", "500112"));

        var map = (await Client.Get("/api/institutions/map?jurisdiction=5301")).ShouldBe(HttpStatusCode.OK);
        Assert.False(map["listed"].GetValue<bool>());
        Assert.Empty(map["items"].AsArray());
        Assert.Equal((502, 3, 499), (map["institutions"].GetValue<int>(), map["placed"].GetValue<int>(), map["unplaced"].GetValue<int>()));
        var areas = map["areas"].AsArray();
        Assert.Equal(["530111", "530112"], areas.Select(a => a!["jurisdiction"]!.GetValue<string>()));
        Assert.Equal((501, 2, 0), (areas[0]!["institutions"]!.GetValue<int>(), areas[0]!["placed"]!.GetValue<int>(), areas[0]!["approximate"]!.GetValue<int>()));
        Assert.Equal(25.05, areas[0]!["lat"]!.GetValue<double>(), 6);
        Assert.Equal(102.75, areas[0]!["lon"]!.GetValue<double>(), 6);
        Assert.Equal((1, 1, 1), (areas[1]!["institutions"]!.GetValue<int>(), areas[1]!["placed"]!.GetValue<int>(), areas[1]!["approximate"]!.GetValue<int>()));

        // One district of it lists its own, whatever its size; another kind has none there.
        var district = (await Client.Get("/api/institutions/map?jurisdiction=530111")).ShouldBe(HttpStatusCode.OK);
        Assert.True(district["listed"].GetValue<bool>());
        Assert.Equal(2, district["items"].AsArray().Count);
        var medical = (await Client.Get("/api/institutions/map?jurisdiction=5301&kind=medical")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, medical["institutions"].GetValue<int>());
        Assert.Empty(medical["areas"].AsArray());
    }

    [Fact]
    public async Task A_bad_prefix_or_kind_is_refused_with_the_field()
    {
        (await Client.Get("/api/institutions/map?jurisdiction=5")).ShouldBeProblem(HttpStatusCode.BadRequest, "jurisdiction");
        (await Client.Get("/api/institutions/map?kind=castle")).ShouldBeProblem(HttpStatusCode.BadRequest, "kind");
        (await Client.Get("/api/institutions/map?q=x")).ShouldBe(HttpStatusCode.BadRequest);
    }
}
