using System.Diagnostics;
using System.Net;
using CareRegistry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CareRegistry.Tests.Resilience;

// The service killed outright (SIGKILL) in the middle of a load of commands, then started again: no acknowledged
// write is lost, every key used before the crash still answers with its first response, and the async projections
// resume where they were and end equal to a rebuild from the events.
[Collection(ResilienceCollection.Name), Trait("Category", "Resilience")]
public sealed class ServiceCrashTests(ITestOutputHelper output)
{
    [ResilienceFact]
    public async Task A_killed_service_loses_no_acknowledged_write_and_its_projections_resume()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var port = PostgresCluster.FreePort();
        var service = await ServiceProcess.StartAsync(cluster.ConnectionString(), port, ServiceProcess.FastRecovery);
        try
        {
            await Load.WarmUpAsync(service);
            using var client = ServiceProcess.ClientFor(port);
            var load = new CommandLoad(() => client);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(clients: 4, perClient: 2_000, stop.Token);
            await Load.UntilAcknowledgedAsync(load, 30, TimeSpan.FromSeconds(30));

            await service.KillAsync();
            var acknowledgedBeforeCrash = load.Commands.Where(c => c.Acknowledged is not null).ToList();
            var down = Stopwatch.StartNew();
            await service.DisposeAsync();
            service = await ServiceProcess.StartAsync(cluster.ConnectionString(), port, ServiceProcess.FastRecovery);
            down.Stop();
            await Load.UntilAcknowledgedAsync(load, acknowledgedBeforeCrash.Count + 20, TimeSpan.FromSeconds(45));
            await stop.CancelAsync();
            await running;

            // While it was down the clients heard nothing (0) and retried; otherwise 2xx, or a problem to come back later.
            var attempts = load.AllAttempts.ToList();
            Assert.All(attempts, a => Assert.True(a.Status is 0 or >= 200 and < 300 || (a.Status is 503 or 409 && a.ContentType == "application/problem+json"),
                $"{a.Status} {a.ContentType}: {a.Text}"));
            var kept = await RegistryChecks.AcknowledgedWritesAreInTheLogOnceAsync(cluster, load);
            var replayed = await RegistryChecks.RetriesGetTheFirstAnswerAsync(load, cluster);
            Assert.True(acknowledgedBeforeCrash.Count >= 30, "the crash came before any write was acknowledged");
            var projections = await RegistryChecks.ProjectionsCatchUpAndEqualARebuildAsync(service.Client, TimeSpan.FromSeconds(60));
            Assert.Equal("ok", (await service.Client.Get("/api/audit/verify"))["status"].GetValue<string>());
            Assert.Equal("ok", (await service.Client.Get("/api/audit/replay"))["status"].GetValue<string>());
            var lostAnswers = load.Commands.Count(c => c.Acknowledged is null);
            output.WriteLine($"killed after {acknowledgedBeforeCrash.Count} acknowledged; down {down.Elapsed.TotalSeconds:0.0} s until ready again; " +
                             $"{load.Figures()}; acknowledged and in the log once: {kept}; retries replayed with the first answer: {replayed} " +
                             $"({acknowledgedBeforeCrash.Count} from before the crash); recorded but answer lost: {lostAnswers}; " +
                             $"async projections ({string.Join(", ", projections.Async)}) current {projections.CaughtUpIn.TotalSeconds:0.0} s after the load and equal to a rebuild; lost: 0");
        }
        finally
        {
            await service.DisposeAsync();
        }
    }
}
