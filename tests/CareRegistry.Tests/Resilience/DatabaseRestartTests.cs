using System.Diagnostics;
using System.Net;
using CareRegistry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CareRegistry.Tests.Resilience;

// PostgreSQL restarted (fast stop, start on the same port) under a running load of commands: the service stays up,
// says it is not ready while the database is away, answers commands 503 with Retry-After rather than 500 or a hang,
// and is ready again by itself; no acknowledged write is lost and no refused one left anything behind.
[Collection(ResilienceCollection.Name), Trait("Category", "Resilience")]
public sealed class DatabaseRestartTests(ITestOutputHelper output)
{
    [ResilienceFact]
    public async Task A_database_restart_under_load_loses_no_acknowledged_write_and_answers_503_meanwhile()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        // A claim whose release failed with the database is free again after 5 s (default 60), within the client's retries.
        await using var service = await ServiceProcess.StartAsync(cluster.ConnectionString(),
            settings: new Dictionary<string, string> { ["Idempotency__ClaimTimeoutSeconds"] = "5" });
        await Load.WarmUpAsync(service);

        var load = new CommandLoad(() => service.Client);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(clients: 4, perClient: 2_000, stop.Token);
        await Load.UntilAcknowledgedAsync(load, 20, TimeSpan.FromSeconds(30));

        var outage = Stopwatch.StartNew();
        await cluster.StopAsync();
        await service.WaitUntilAsync("/health/ready", HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(15));
        await Task.Delay(TimeSpan.FromSeconds(3)); // the load keeps coming while the database is away (not an assertion)
        await cluster.StartServerAsync();
        outage.Stop();
        var backIn = await service.WaitUntilAsync("/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var acknowledgedBefore = load.Commands.Count(c => c.Acknowledged is not null);
        await Load.UntilAcknowledgedAsync(load, acknowledgedBefore + 20, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await running;

        Assert.False(service.HasExited, "the service died with its database");
        var attempts = load.AllAttempts.ToList();
        // 2xx, or a problem that tells the client to come back: 503 (database away) or 409 (the first attempt with this
        // key is still in flight). Never a 500, never silence.
        Assert.All(attempts, a => Assert.True(a.Status is >= 200 and < 300 || (a.Status is 503 or 409 && a.ContentType == "application/problem+json" && a.RetryAfter is not null),
            $"{a.Status} {a.ContentType} Retry-After {a.RetryAfter}: {a.Text}"));
        Assert.Contains(attempts, a => a.Status == 503);
        Assert.All(load.Commands, c => Assert.True(c.Acknowledged is not null, $"still not acknowledged after retries: {c}"));

        var kept = await RegistryChecks.AcknowledgedWritesAreInTheLogOnceAsync(cluster, load);
        var replayed = await RegistryChecks.RetriesGetTheFirstAnswerAsync(load, cluster);
        Assert.Equal("ok", (await service.Client.Get("/api/audit/verify"))["status"].GetValue<string>());
        Assert.Equal("ok", (await service.Client.Get("/api/audit/replay"))["status"].GetValue<string>());
        // The async daemon lost its connections too; it resumes without a restart of the service.
        var projections = await RegistryChecks.ProjectionsCatchUpAndEqualARebuildAsync(service.Client, TimeSpan.FromSeconds(60));
        output.WriteLine($"database down {outage.Elapsed.TotalSeconds:0.0} s, ready {backIn.TotalSeconds:0.0} s after start; {load.Figures()}; " +
                         $"acknowledged and in the log once: {kept}; retries replayed: {replayed}; async projections ({string.Join(", ", projections.Async)}) " +
                         $"current {projections.CaughtUpIn.TotalSeconds:0.0} s after the load and equal to a rebuild; lost: 0");
    }
}
