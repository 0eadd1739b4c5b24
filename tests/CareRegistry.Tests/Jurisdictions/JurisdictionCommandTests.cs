using System.Net;
using CareRegistry.Jurisdictions;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Jurisdictions;

// The three commands on a jurisdiction's stream answer the version they wrote and refuse a stale If-Match.
public class JurisdictionCommandTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static readonly DateOnly Day = new(2024, 1, 1);

    [Fact]
    public async Task Each_command_answers_the_version_it_wrote_and_honours_if_match()
    {
        var first = (await Client.Post("/api/jurisdictions/530111/population", new RecordPopulation(100_000, null, null, Day, "区统计局")))
            .ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, first.Version);
        Assert.Equal("\"1\"", first.Headers.ETag?.Tag);

        var regime = (await Client.Post("/api/jurisdictions/530111/regimes", new RecordRegime(PermitType.ElderlyCare, Regime.Filing, Day, "区民政局通知", null), ifMatch: "\"1\""))
            .ShouldBe(HttpStatusCode.OK);
        Assert.Equal(2, regime.Version);

        var threshold = (await Client.Post("/api/jurisdictions/530111/demerit-threshold", new SetDemeritThreshold(10, Day, "区卫健委通知"), ifMatch: "\"2\""))
            .ShouldBe(HttpStatusCode.OK);
        Assert.Equal(3, threshold.Version);

        (await Client.Post("/api/jurisdictions/530111/population", new RecordPopulation(110_000, null, null, Day.AddYears(1), "区统计局"), ifMatch: "\"2\""))
            .ShouldBeProblem(HttpStatusCode.PreconditionFailed);
        var jurisdiction = await Client.Get("/api/jurisdictions/530111");
        Assert.Equal(100_000, jurisdiction["population"]!["aged60"]!.GetValue<int>());
    }
}
