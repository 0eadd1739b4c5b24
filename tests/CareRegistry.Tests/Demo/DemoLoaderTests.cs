using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Common;
using CareRegistry.Demo;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Demo;

public class DemoLoaderTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public void Demo_uscc_codes_are_valid_unique_and_marked()
    {
        var codes = DemoInstitutions.All.Select(DemoInstitutions.UsccFor).ToList();
        Assert.All(codes, c => Assert.Null(Uscc.Problem(c)));
        Assert.All(codes, c => Assert.Equal("DM", c[8..10]));
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public async Task The_demo_loads_once_through_the_api_and_is_searchable()
    {
        Assert.True(await new DemoLoader(Fixture.Anonymous, TextWriter.Null, Fixture.Tokens).LoadAsync());
        Assert.False(await new DemoLoader(Fixture.Anonymous, TextWriter.Null, Fixture.Tokens).LoadAsync());

        var all = (await Client.Get("/api/institutions?limit=500")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        Assert.True(all.Count >= 20);
        Assert.Equal(DemoInstitutions.All.Length, all.Count);

        var careHomes = (await Client.Get("/api/institutions?q=" + Uri.EscapeDataString("养老")))["items"].AsArray()
            .Select(i => i!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("广福养老中心", careHomes);
        Assert.Contains("观音山养老中心", careHomes);

        var history = (await Client.Get($"/api/institutions/{all[0]!["id"]!.GetValue<string>()}/history"))["items"].AsArray();
        Assert.Equal("demo", history[0]!["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_demo_tells_the_stories_of_the_source_documents()
    {
        await new DemoLoader(Fixture.Anonymous, TextWriter.Null, Fixture.Tokens).LoadAsync();

        // Xishan (西卫函〔2022〕78号, 2022-10-19): 26 care homes filed with civil affairs, 8 with both certificates.
        var xishan = (await Client.Get("/api/institutions?jurisdiction=530112&kind=elderly-care&limit=500"))["items"].AsArray();
        Assert.Equal(26, xishan.Count);
        var integrated = 0;
        foreach (var home in xishan)
            if ((await Client.Get($"/api/institutions/{home!["id"]!.GetValue<string>()}?asOf=2022-10-19"))["integrated"].GetValue<bool>()) integrated++;
        Assert.Equal(8, integrated);

        // Yubei: an internal clinic applied for before the move to filing is pending until granted; one filed after
        // is in force at once.
        async Task<JsonArray> PermitsOf(string name, string day)
        {
            var id = (await Client.Get("/api/institutions?q=" + Uri.EscapeDataString(name)))["items"].AsArray()[0]!["id"]!.GetValue<string>();
            return (await Client.Get($"/api/institutions/{id}?asOf={day}"))["permits"].AsArray();
        }
        string ClinicStatus(JsonArray permits) => permits.Single(p => p!["type"]!.GetValue<string>() == "internal-clinic")!["status"]!.GetValue<string>();
        Assert.Equal("pending", ClinicStatus(await PermitsOf("大湾镇敬老院", "2017-07-01")));
        Assert.Equal("active", ClinicStatus(await PermitsOf("大湾镇敬老院", "2017-10-01")));
        var yuelai = (await PermitsOf("悦来老年康养中心", "2019-03-01")).Single(p => p!["type"]!.GetValue<string>() == "internal-clinic")!;
        Assert.Equal(("active", "filing"), (yuelai["status"]!.GetValue<string>(), yuelai["regime"]!.GetValue<string>()));

        // Yubei (渝北卫健函〔2024〕71号): every care institution has a contracted medical institution.
        var yubeiCare = (await Client.Get("/api/institutions?jurisdiction=500112&limit=500"))["items"].AsArray()
            .Where(i => i!["kind"]!.GetValue<string>() != "medical").ToList();
        Assert.NotEmpty(yubeiCare);
        foreach (var home in yubeiCare)
            Assert.NotEmpty((await Client.Get($"/api/institutions/{home!["id"]!.GetValue<string>()}?asOf=2024-05-17"))["activePartnerships"].AsArray());

        async Task<JsonNode> View(string name, string day)
        {
            var id = (await Client.Get("/api/institutions?q=" + Uri.EscapeDataString(name)))["items"].AsArray()[0]!["id"]!.GetValue<string>();
            return (await Client.Get($"/api/institutions/{id}?asOf={day}")).Body!;
        }
        Assert.Single((await View("万鸿颐养院", "2017-09-26"))["activePartnerships"]!.AsArray());
        Assert.Contains("rectification-overdue", (await View("观音山养老中心", "2022-10-19"))["alerts"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Empty((await View("柏寿老年公寓", "2019-06-19"))["openRectifications"]!.AsArray());
        Assert.Equal(4, (await View("柏寿老年公寓", "2019-06-19"))["demeritPoints"]!.GetValue<int>());
    }

    private async Task<Dictionary<string, JsonNode>> Table(string query)
    {
        await Fixture.Projected();
        var table = (await Client.Get($"/api/statistics/integrated-care?{query}")).ShouldBe(HttpStatusCode.OK);
        return table["figures"].AsArray().ToDictionary(f => f!["key"]!.GetValue<string>(), f => f!);
    }

    private static decimal? Value(Dictionary<string, JsonNode> table, string key) => table[key]["value"]?.GetValue<decimal>();

    [Fact]
    public async Task The_monitoring_table_reproduces_the_figures_the_documents_publish()
    {
        await new DemoLoader(Fixture.Anonymous, TextWriter.Null, Fixture.Tokens).LoadAsync();

        // Yubei (渝北卫健函〔2024〕71号, 2024): 61 care institutions, 100% signed with a medical institution, 3 medical
        // institutions providing integrated care through elderly-care beds, 110 rehabilitation and nursing beds.
        var yubei = await Table("jurisdiction=500112&asOf=2024-05-17");
        Assert.Equal(61, Value(yubei, "elderly-care-institutions"));
        Assert.Equal(61, Value(yubei, "care-homes-with-partnership"));
        Assert.Equal(100m, Value(yubei, "care-homes-with-partnership-percent"));
        Assert.Equal(3, Value(yubei, "medical-institutions-with-care-beds"));
        Assert.Equal(3, Value(yubei, "integrated-medical-with-care"));
        Assert.Equal(110, Value(yubei, "medical-nursing-rehabilitation-beds"));

        // Xishan (西卫函〔2022〕78号, 2022-10-19): 26 care homes, 8 holding both certificates; 9 before a revocation.
        var xishan = await Table("jurisdiction=530112&asOf=2022-10-19");
        Assert.Equal(26, Value(xishan, "elderly-care-institutions"));
        Assert.Equal(8, Value(xishan, "integrated-care-with-medical"));
        Assert.Equal(9, Value(await Table("jurisdiction=530112&asOf=2021-06-30"), "integrated-care-with-medical"));

        // Guandu's reply gives its elderly population (114,208 aged 60+), so beds per 1,000 elders has a denominator.
        var guandu = await Table("jurisdiction=530111&asOf=2019-06-19");
        Assert.Equal(114_208, guandu["elderly-care-beds-per-1000-elders"]["denominator"]!.GetValue<int>());
    }
}
