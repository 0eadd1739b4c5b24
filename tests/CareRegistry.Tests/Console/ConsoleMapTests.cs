using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Console;

// The care map: institutions placed by the location the search answers, approximate ones said to be so, the map's
// script bundled into the assembly and within the page budget.
public sealed partial class ConsoleMapTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task An_institution_registered_with_a_place_is_on_the_map_and_an_approximate_one_says_so()
    {
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");
        foreach (var (name, approximate) in new[] { ("地图确切养老院", false), ("地图近似养老院", true) })
        {
            var form = await browser.Get("/forms/register");
            var fields = new Dictionary<string, string>
            {
                ["_key"] = Key().Match(form.Html).Groups[1].Value, ["name"] = name, ["uscc"] = Scenario.NewUscc("530111"), ["kind"] = "elderly-care",
                ["ownership"] = "public", ["jurisdiction"] = "530111", ["address"] = "官渡区", ["beds.elderlyCare"] = "50",
                ["location.lat"] = "25.0220", ["location.lon"] = "102.7460",
            };
            if (approximate) fields["location.approximate"] = "true";
            (await browser.Submit(form, "act", fields)).ShouldShow("已办理：登记机构");
        }
        await Fixture.Projected();
        var map = await browser.Get("/map?jurisdiction=530111");
        Assert.Equal(HttpStatusCode.OK, map.Status);
        map.ShouldShow("养老关爱地图", "地图确切养老院", "地图近似养老院", "25.0220, 102.7460", "近似位置", "未配置底图");
        Assert.Contains("\"approximate\":true", map.Html);
        Assert.Contains("/console/assets/map.js?v=", map.Html);

        var script = Regex.Match(map.Html, "src=\"(/console/assets/map\\.js\\?v=[^\"]+)\"").Groups[1].Value;
        var response = await browser.Raw(script);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length < 300 * 1024, "the map's script is over the 300 KB page budget");
    }

    [Fact]
    public async Task A_city_of_many_institutions_shows_its_districts_counts_linking_to_their_maps()
    {
        var batch = Enumerable.Range(3, 498).Select(n => Scenario.CareHome($"城市地图{n:000}养老院", "530111")).ToList();
        (await Client.Post("/api/institutions/batch", new CareRegistry.Institutions.RegisterInstitutions(batch))).ShouldBe(HttpStatusCode.OK);
        for (var n = 0; n < 3; n++)
            await Client.Register(Scenario.CareHome($"城市地图{n:000}养老院", "530111") with { Location = new CareRegistry.Institutions.LocationInput(25.02 + n * 0.01, 102.74) });

        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");
        var map = await browser.Get("/map");
        Assert.Equal(HttpStatusCode.OK, map.Status);
        map.ShouldShow("养老关爱地图", "按区县汇总：501 家机构，其中 3 家有坐标、498 家尚无坐标", "各区县机构数", "25.0300, 102.7400");
        Assert.Contains("href=\"/map?jurisdiction=530111\"", map.Html);
        Assert.Contains("\"placed\":3", map.Html);
        Assert.DoesNotContain("城市地图000养老院", map.Html);

        // The district's own map lists them; the kind chosen stays in the link.
        var district = await browser.Get("/map?jurisdiction=530111");
        district.ShouldShow("地图上 3 家机构", "城市地图000养老院");
        Assert.Contains("href=\"/map?jurisdiction=530111&amp;kind=elderly-care\"", (await browser.Get("/map?kind=elderly-care")).Html);
    }

    [GeneratedRegex("name=\"_key\" value=\"([^\"]+)\"")]
    private static partial Regex Key();
}
