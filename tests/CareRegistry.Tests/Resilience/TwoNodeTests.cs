using System.Diagnostics;
using CareRegistry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CareRegistry.Tests.Resilience;

// Two service processes on one database, both taking writes. Wolverine places each async projection on exactly one
// of them; when that node is killed the other takes the projection over within a bound, and the read models end
// equal to a rebuild from the events.
[Collection(ResilienceCollection.Name), Trait("Category", "Resilience")]
public sealed class TwoNodeTests(ITestOutputHelper output)
{
    [ResilienceFact]
    public async Task Two_nodes_share_the_writes_run_each_async_projection_once_and_the_survivor_takes_over()
    {
        var clock = Stopwatch.StartNew();
        void Phase(string name) => output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s {name}");
        await using var cluster = await PostgresCluster.StartAsync();
        Phase("cluster");
        // One after the other, so the first node is the first row of wolverine_nodes (ordered by start).
        await using var first = await ServiceProcess.StartAsync(cluster.ConnectionString(), settings: ServiceProcess.FastRecovery);
        await NodesRegisteredAsync(cluster, 1);
        await Load.WarmUpAsync(first);
        await using var second = await ServiceProcess.StartAsync(cluster.ConnectionString(), settings: ServiceProcess.FastRecovery);
        await Load.WarmUpAsync(second);
        Phase("two nodes up and warm");

        var (nodes, agents) = await SettledAsync(cluster, expectedNodes: 2, TimeSpan.FromSeconds(45));
        Assert.All(agents, a => Assert.Contains(nodes, n => n.Id == a.Node));
        Assert.Equal(agents.Count, agents.Select(a => a.Agent).Distinct().Count());
        Phase("before: " + WolverineCluster.Describe(nodes, agents));

        var services = new[] { first, second };
        var live = services;
        var turn = 0;
        var load = new CommandLoad(() => live[Interlocked.Increment(ref turn) % live.Length].Client);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(clients: 4, perClient: 2_000, stop.Token);
        await Load.UntilAcknowledgedAsync(load, 30, TimeSpan.FromSeconds(30));
        var acknowledged = load.AllAttempts.Where(a => a.Status is >= 200 and < 300).ToList();
        Assert.All(services, s => Assert.Contains(acknowledged, a => a.Port == s.Port));

        // Kill the node that runs the projections (most of them, when they are spread).
        var victimNode = agents.GroupBy(a => a.Node).OrderByDescending(g => g.Count()).First().Key;
        var victim = services[nodes.FindIndex(n => n.Id == victimNode)];
        var survivor = services.Single(s => s != victim);
        var survivorNode = nodes.Single(n => n.Id != victimNode).Id;
        live = [survivor];
        await victim.KillAsync();
        var takeover = Stopwatch.StartNew();
        (nodes, agents) = await SettledAsync(cluster, expectedNodes: 1, TimeSpan.FromSeconds(45));
        takeover.Stop();
        Assert.Equal(survivorNode, Assert.Single(nodes).Id);
        Assert.All(agents, a => Assert.Equal(survivorNode, a.Node));
        Phase("after: " + WolverineCluster.Describe(nodes, agents));

        var before = load.Commands.Count(c => c.Acknowledged is not null);
        await Load.UntilAcknowledgedAsync(load, before + 20, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await running;

        Assert.All(load.AllAttempts, a => Assert.True(a.Status is 0 or >= 200 and < 300 || (a.Status is 503 or 409 && a.ContentType == "application/problem+json"),
            $"{a.Status} {a.ContentType}: {a.Text}"));
        Phase("load done");
        var kept = await RegistryChecks.AcknowledgedWritesAreInTheLogOnceAsync(cluster, load);
        var replayed = await RegistryChecks.RetriesGetTheFirstAnswerAsync(load, cluster);
        Phase("log checked, retries replayed");
        var projections = await RegistryChecks.ProjectionsCatchUpAndEqualARebuildAsync(survivor.Client, TimeSpan.FromSeconds(60));
        Assert.Equal("ok", (await survivor.Client.Get("/api/audit/replay"))["status"].GetValue<string>());
        Phase("projections checked");
        var perNode = load.AllAttempts.Where(a => a.Status is >= 200 and < 300).GroupBy(a => a.Port == first.Port ? "first" : "second")
            .Select(g => $"{g.Key} {g.Count()}");
        output.WriteLine($"{load.Figures()}; acknowledged per node: {string.Join(", ", perNode)}; {agents.Count} projection agent(s) moved " +
                         $"to the survivor {takeover.Elapsed.TotalSeconds:0.0} s after the kill; acknowledged and in the log once: {kept}; " +
                         $"retries replayed: {replayed}; async projections ({string.Join(", ", projections.Async)}) current " +
                         $"{projections.CaughtUpIn.TotalSeconds:0.0} s after the load and equal to a rebuild; lost: 0");
    }

    private static async Task NodesRegisteredAsync(PostgresCluster cluster, int count)
    {
        var watch = Stopwatch.StartNew();
        while ((await WolverineCluster.NodesAsync(cluster)).Count != count)
        {
            Assert.False(watch.Elapsed > TimeSpan.FromSeconds(30), $"Wolverine did not register {count} node(s) within 30 s");
            await Task.Delay(200);
        }
    }

    // Waits until Wolverine knows exactly this many nodes and every async projection agent is assigned to one of them.
    private static async Task<(List<WolverineCluster.Node>, List<WolverineCluster.Assignment>)> SettledAsync(PostgresCluster cluster, int expectedNodes, TimeSpan bound)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var nodes = await WolverineCluster.NodesAsync(cluster);
            var agents = (await WolverineCluster.AssignmentsAsync(cluster)).ProjectionAgents().ToList();
            if (nodes.Count == expectedNodes && agents.Count > 0 && agents.All(a => nodes.Any(n => n.Id == a.Node))) return (nodes, agents);
            Assert.False(watch.Elapsed > bound, $"not settled on {expectedNodes} node(s) within {bound.TotalSeconds} s: {WolverineCluster.Describe(nodes, agents)}");
            await Task.Delay(250);
        }
    }
}
