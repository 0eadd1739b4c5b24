using System.Net;
using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CareRegistry.Tests.Statistics;

// A rebuild counts the registry's events set-based (RegistryCountsRebuild) and must leave the very figures the daemon
// counted event by event; the shard then goes on counting from where the rebuild left it.
public class RegistryCountsRebuildTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private async Task<string> Counts() => (await Client.Get("/api/statistics/counts")).ShouldBe(HttpStatusCode.OK).Text;

    [Fact]
    public async Task A_rebuild_counts_what_the_daemon_counted_and_the_shard_counts_on_from_it()
    {
        // Events of several streams and types: a national regime, registrations of two kinds in two districts, a
        // filing, a licence applied for and granted, an inspection with a finding, and a retraction.
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        var home = await Client.Register(Scenario.CareHome("甲计数养老院", "530112"));
        await Client.Register(Scenario.CareHome("乙计数养老院", "530111"));
        var hospital = await Client.Register(Scenario.Hospital("丙计数医院", "530112"));
        (await Client.Submit(home, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        var licence = (await Client.Submit(hospital, PermitType.MedicalPractice, D(2010, 1, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await Client.Grant(hospital, licence, D(2010, 2, 1), D(2035, 12, 31))).ShouldBe(HttpStatusCode.OK);
        var beds = (await Client.Post($"/api/institutions/{home}/beds", new ChangeBeds(D(2020, 1, 1), new BedsInput(ElderlyCare: 200), "扩建")))
            .ShouldBe(HttpStatusCode.OK);
        (await Client.Post("/api/corrections", new RetractEntry(home, beds.Version, "床位数录入错误"))).ShouldBe(HttpStatusCode.OK);
        var inspection = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [home], [Department.CivilAffairs], ["张检查"], D(2024, 3, 1))))
            .ShouldBe(HttpStatusCode.Created).Id;
        (await Client.Post($"/api/inspections/{inspection}/findings", new RecordFinding(home, FindingCategory.FireSafety, Severity.Major, 4,
            "消防通道堵塞", D(2024, 4, 1), D(2024, 3, 1)))).ShouldBe(HttpStatusCode.Created);
        await Fixture.Projected();
        var counted = await Counts();
        var figures = System.Text.Json.Nodes.JsonNode.Parse(counted)!;
        Assert.Equal(2, figures["institutionsByJurisdiction"]!["530112"]!.GetValue<int>());
        Assert.Equal(2, figures["institutionsByKind"]!["elderly-care"]!.GetValue<int>());
        Assert.True(figures["eventsByType"]!.AsObject().Count >= 8, counted);

        var status = await Client.Rebuild();
        Assert.Contains(status["projections"]!.AsArray(), p => p!["name"]!.GetValue<string>() == RegistryCountsProjection.ProjectionName
                                                              && p["state"]!.GetValue<string>() == "succeeded");
        Assert.Equal(counted, await Counts());

        // The shard runs on from the progression the rebuild set: the next registration is counted once.
        await Client.Register(Scenario.CareHome("丁计数养老院", "530112"));
        await Fixture.Projected();
        var after = System.Text.Json.Nodes.JsonNode.Parse(await Counts())!;
        Assert.Equal(figures["events"]!.GetValue<long>() + 1, after["events"]!.GetValue<long>());
        Assert.Equal(3, after["institutionsByJurisdiction"]!["530112"]!.GetValue<int>());
        Assert.Equal(3, after["institutionsByKind"]!["elderly-care"]!.GetValue<int>());
        var agents = Fixture.Host.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>().Agents;
        Assert.Contains(agents.AllRunningAgentUris(), u => u.AbsolutePath.EndsWith("/registrycounts/all", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_rebuild_of_an_empty_registry_leaves_no_counts()
    {
        await Client.Rebuild();
        var counts = System.Text.Json.Nodes.JsonNode.Parse(await Counts())!;
        Assert.Equal(0, counts["events"]!.GetValue<long>());
        Assert.Empty(counts["eventsByType"]!.AsObject());
    }
}
