using System.Text.Json.Nodes;
using CareRegistry.Audit;
using CareRegistry.Statistics;

namespace CareRegistry.Tests.Reliability;

// What keeps the service's memory under issue 14's 400 MB through a full-scale rebuild (docs/operations.md): the GC as
// the service's runtimeconfig carries it (not an environment variable a script may forget), and the rebuild's batch and
// partition sizes. Measured at 1.17 million events: server GC with 5,000-event batches and partitions of 500 peaked at
// 758-847 MB, workstation GC at 493 MB, with the smaller batches and partitions at under 400.
public class MemorySettingsTests
{
    private static JsonNode ServiceRuntimeConfig() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "CareRegistry.Api.runtimeconfig.json")))!["runtimeOptions"]!["configProperties"]!;

    [Fact]
    public void The_service_runs_workstation_GC_with_background_collections_and_conserves_memory()
    {
        var properties = ServiceRuntimeConfig();
        Assert.False(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.True(properties["System.GC.Concurrent"]!.GetValue<bool>());
        Assert.Equal(5, properties["System.GC.ConserveMemory"]!.GetValue<int>());
    }

    [Fact]
    public void A_rebuild_reads_batches_of_500_events_and_folds_partitions_of_125_institutions_on_two_workers()
    {
        Assert.Equal(500, RebuildTuning.BatchSize);
        Assert.Equal(new StandingRebuild.Settings(125, 2), new StandingRebuild.Settings());
    }
}
