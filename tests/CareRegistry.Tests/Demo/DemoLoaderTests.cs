using System.Net;
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
        Assert.True(await new DemoLoader(Client, TextWriter.Null).LoadAsync());
        Assert.False(await new DemoLoader(Client, TextWriter.Null).LoadAsync());

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
}
