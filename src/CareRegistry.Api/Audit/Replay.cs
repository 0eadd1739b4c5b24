using System.Diagnostics;
using System.Text.Json;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using JasperFx.CommandLine;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;
using Wolverine.Runtime.Agents;

namespace CareRegistry.Audit;

public record ReadModelDifference(string Model, Guid Id, string Stored, string Replayed);

public record ReplayReport(string Status, int ModelsChecked, double Seconds, IReadOnlyList<ReadModelDifference> Differences);

public record RebuildReport(IReadOnlyList<string> Projections, double Seconds);

// Replays every stream from its events and compares the result with the read model the registry serves: an
// auditor's check that the read side says what the events say (expected: no difference).
public static partial class ReplayCheck
{
    public static async Task<ReplayReport> CompareAsync(IDocumentStore store, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var session = store.QuerySession();
        var differences = new List<ReadModelDifference>();
        var count = await Compare<Institution>(session, i => i.Id, differences, ct)
                    + await Compare<Permit>(session, p => p.Id, differences, ct)
                    + await Compare<Jurisdiction>(session, j => j.Id, differences, ct)
                    + await Compare<Inspections.Inspection>(session, i => i.Id, differences, ct)
                    + await Compare<Partnerships.Partnership>(session, p => p.Id, differences, ct);
        return new ReplayReport(differences.Count == 0 ? "ok" : "different", count, watch.Elapsed.TotalSeconds, differences);
    }

    private static async Task<int> Compare<T>(IQuerySession session, Func<T, Guid> id, List<ReadModelDifference> differences, CancellationToken ct) where T : class
    {
        var stored = await session.Query<T>().ToListAsync(ct);
        foreach (var doc in stored)
        {
            var replayed = await session.Events.AggregateStreamAsync<T>(id(doc), token: ct);
            var (a, b) = (JsonSerializer.Serialize(doc, Json.Options), JsonSerializer.Serialize(replayed, Json.Options));
            if (a != b) differences.Add(new ReadModelDifference(typeof(T).Name, id(doc), a, b));
        }
        return stored.Count;
    }

    // Rebuilds every projection the store knows, inline and async, so a projection added later is rebuilt too. It runs
    // on the daemon Wolverine already runs this node's async shards on: that daemon stops a shard for its rebuild
    // and Wolverine resumes it afterwards. A second daemon (store.BuildProjectionDaemonAsync) would rebuild beside
    // the running shard — two writers of one progression row, which JasperFx warns about ("more than one projection
    // daemon") and which can leave the running shard paused as out of order. Without Wolverine's agents (none here
    // today) Marten's own daemon is the only one, so it is used then.
    // The standing projection (the long pole, set-based) is rebuilt beside the others, which take turns,
    // RebuildTuning.Concurrency at a time (Rebuild:Concurrency): the stream snapshots folded set-based (SnapshotRebuild),
    // the rest replayed through the daemon. Each reads the event log on its own, and every one
    // replaying at once made the full-scale rebuild's memory peak (about 80 MB more of garbage in the old generation)
    // without finishing sooner, since the standing fold outlasts them either way (docs/performance-log.md, the eleventh
    // stop). A projection waiting for its turn is pending, not running, and the daemon's timeouts start only when it
    // starts. An async projection goes through Wolverine's entry point
    // (IEventSubscriptionAgentFamily.TryRebuildRegisteredProjectionAsync), which resumes the shard Wolverine tracks
    // afterwards; called on the daemon directly, the shard stays stopped under Wolverine's agent (tested). That entry
    // point gives each projection the daemon's default five minutes. An inline projection has no shard to resume, so it
    // is rebuilt on the same daemon (reached through the coordinator Wolverine registers) with an hour.
    public static readonly TimeSpan ShardTimeout = TimeSpan.FromHours(1);

    // Follows a shard's progression until it reaches the sequence the rebuild started from. A shard that does not move
    // for StalledAfter is reported as a failure rather than waited on for ever.
    private static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(2);

    private static async Task FollowAsync(IDocumentStore store, string shard, long ceiling, CancellationToken ct)
    {
        var (last, since) = (-1L, Stopwatch.StartNew());
        while (true)
        {
            var progress = (await store.Advanced.AllProjectionProgress(token: ct)).FirstOrDefault(x => x.ShardName == shard)?.Sequence ?? 0;
            if (progress >= ceiling) return;
            if (progress != last) (last, since) = (progress, Stopwatch.StartNew());
            else if (since.Elapsed > StalledAfter) throw new TimeoutException($"{shard} stopped at {progress} of {ceiling}");
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    public static Task<RebuildReport> RebuildAsync(IDocumentStore store, IServiceProvider? services, CancellationToken ct) =>
        RebuildAsync(store, services, ct, (_, _, _) => { });

    public static async Task<RebuildReport> RebuildAsync(IDocumentStore store, IServiceProvider? services, CancellationToken ct,
        Action<string, RebuildState, string?> progress, Action<string, long>? advanced = null)
    {
        var watch = Stopwatch.StartNew();
        var projections = ((StoreOptions)store.Options).Projections.All.ToList();
        var agents = services?.GetService<IEventSubscriptionAgentFamily>();
        var coordinator = agents is null ? null : services!.GetService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
        using var own = agents is null ? await store.BuildProjectionDaemonAsync() : null;
        var daemon = own ?? (coordinator is null ? null : (await coordinator.AllDaemonsAsync()).SingleOrDefault());
        // The log's end as the rebuild begins (its highest sequence; no count of the whole log).
        var ceiling = await store.Storage.Database.FetchHighestEventSequenceNumber(ct);
        var setBased = StandingSetBased(services);
        var concurrency = RebuildTuning.ConcurrencyOf(services?.GetService<IConfiguration>());
        using var turns = new SemaphoreSlim(concurrency);
        // The folds that run at once hold pool threads for seconds: as many threads again, ready for requests meanwhile.
        using var headroom = ThreadPoolHeadroom.Add(concurrency + (setBased?.Settings.Workers ?? 0));

        await Task.WhenAll(projections.Select(async p =>
        {
            // The standing projection's set-based fold and the counts' set-based count take no turn: they run beside the
            // others.
            var standing = p.Name == StandingProjection.Name ? setBased : null;
            var counted = p.Name == RegistryCountsProjection.ProjectionName ? SetBasedDb(services, "Rebuild:CountsSetBased") : null;
            var snapshot = p as ISetBasedSnapshot;
            var snapshotDb = snapshot is null ? null : SetBasedDb(services, "Rebuild:SnapshotsSetBased");
            var turn = standing is null && counted is null;
            if (turn) await turns.WaitAsync(ct);
            progress(p.Name, RebuildState.Running, null);
            try
            {
                if (standing is { } fold)
                    await RebuildStandingAsync(store, services!, fold.Db, fold.Settings, () => ShardAsync(services!, daemon, p.Name), ct,
                        sequence => advanced?.Invoke(p.Name, sequence));
                else if (counted is { } db)
                    await RegistryCountsRebuild.RunAsync(store, db, () => ShardAsync(services!, daemon, p.Name), ct,
                        services!.GetService<ILoggerFactory>()?.CreateLogger(typeof(RegistryCountsRebuild)));
                else if (snapshot is not null && snapshotDb is not null)
                    await RebuildSnapshotAsync(store, services!, snapshot, snapshotDb, ct, sequence => advanced?.Invoke(p.Name, sequence));
                else if (daemon is not null && (own is not null || p.Lifecycle != ProjectionLifecycle.Async))
                    await daemon.RebuildProjectionAsync(p.Name, ShardTimeout, ct);
                else
                {
                    try
                    {
                        if (!await agents!.TryRebuildRegisteredProjectionAsync(p.ShardNames().First().Identity, null, ct))
                            throw new InvalidOperationException($"Wolverine knows no projection {p.Name} to rebuild");
                    }
                    catch (TimeoutException)
                    {
                        // Wolverine's entry point gives a shard five minutes. The rebuild committed its progress with
                        // every batch, and Wolverine starts the shard again from there, so the running daemon finishes
                        // the same replay: the rebuild follows it to the log's end as it stood when it began.
                        await FollowAsync(store, p.ShardNames().First().Identity, ceiling, ct);
                    }
                }
                progress(p.Name, RebuildState.Succeeded, null);
            }
            catch (Exception e)
            {
                progress(p.Name, RebuildState.Failed, e.Message);
                throw;
            }
            finally
            {
                if (turn) turns.Release();
            }
        }));
        return new RebuildReport(projections.Select(p => p.Name).ToList(), watch.Elapsed.TotalSeconds);
    }
}

public static partial class ReplayCheck
{
    // The standing projection (the rebuild's long pole through the daemon) is rebuilt set-based (StandingRebuild) unless
    // Rebuild:StandingSetBased is false. Rebuild:Partition institutions are folded per query, Rebuild:Workers at once.
    private static (NpgsqlDataSource Db, StandingRebuild.Settings Settings)? StandingSetBased(IServiceProvider? services)
    {
        if (SetBasedDb(services, "Rebuild:StandingSetBased") is not { } db) return null;
        var config = services!.GetService<IConfiguration>();
        var defaults = new StandingRebuild.Settings();
        return (db, new StandingRebuild.Settings(config?.GetValue("Rebuild:Partition", defaults.Partition) ?? defaults.Partition,
            config?.GetValue("Rebuild:Workers", defaults.Workers) ?? defaults.Workers));
    }

    // The database a set-based rebuild works on, unless its switch (Rebuild:StandingSetBased, Rebuild:CountsSetBased,
    // Rebuild:SnapshotsSetBased) is false: then the projection replays through the daemon. The stream snapshots
    // (RetractableSnapshot) are folded set-based by SnapshotRebuild, Rebuild:SnapshotPartition streams per query;
    // RegistryCounts is counted by RegistryCountsRebuild.
    private static NpgsqlDataSource? SetBasedDb(IServiceProvider? services, string key) =>
        services?.GetService<IConfiguration>()?.GetValue(key, true) == false ? null : services?.GetService<NpgsqlDataSource>();

    private static async Task RebuildSnapshotAsync(IDocumentStore store, IServiceProvider services, ISetBasedSnapshot projection, NpgsqlDataSource db,
        CancellationToken ct, Action<long> progress)
    {
        var defaults = new SnapshotRebuild.Settings();
        var settings = new SnapshotRebuild.Settings(services.GetService<IConfiguration>()?.GetValue("Rebuild:SnapshotPartition", defaults.Partition) ?? defaults.Partition);
        var report = await projection.RebuildSetBasedAsync(store, db, settings, progress, ct);
        services.GetService<ILoggerFactory>()?.CreateLogger(typeof(SnapshotRebuild)).LogInformation(
            "{Document} rebuilt set-based to {Ceiling}: {Streams} streams, {Events} events, {Documents} documents in {Seconds:0.0} s (read and fold {Fold:0.0} s, write {Write:0.0} s, vacuum, index and swap {Swap:0.0} s; {Refolded} streams folded again under the swap's lock)",
            report.Document, report.Ceiling, report.Streams, report.Events, report.Documents, report.Seconds, report.ReadAndFoldSeconds,
            report.WriteSeconds, report.SwapSeconds, report.Refolded);
    }


    // A projection's single shard where it runs on this node, for a set-based rebuild to stop and start: under Wolverine,
    // its agent (stopped and started through Wolverine, which tracks what runs where; stopping the daemon's agent under
    // it would leave Wolverine's record of it behind); without Wolverine's agents, the daemon's own. None when it runs
    // elsewhere.
    public static async Task<ShardControl?> ShardAsync(IServiceProvider services, IProjectionDaemon? daemon, string projection)
    {
        if (services.GetService<IEventSubscriptionAgentFamily>() is EventSubscriptionAgentFamily family
            && services.GetService<Wolverine.Runtime.IWolverineRuntime>() is { } runtime)
        {
            var path = $"/{projection}/All".ToLowerInvariant();
            var uri = (await family.AllKnownAgentsAsync()).FirstOrDefault(u => u.AbsolutePath.EndsWith(path, StringComparison.OrdinalIgnoreCase));
            return uri is not null && runtime.Agents.AllRunningAgentUris().Contains(uri)
                ? new ShardControl(() => runtime.Agents.StopLocallyAsync(uri), () => runtime.Agents.StartLocallyAsync(uri))
                : null;
        }
        return daemon is not null && daemon.CurrentAgents().Any(a => a.Name.Identity == $"{projection}:All") ? ShardControl.On(daemon, projection) : null;
    }

    private static async Task RebuildStandingAsync(IDocumentStore store, IServiceProvider services, NpgsqlDataSource db, StandingRebuild.Settings settings,
        Func<Task<ShardControl?>> shard, CancellationToken ct, Action<long> progress)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(StandingRebuild));
        var report = await StandingRebuild.RunAsync(store, db, shard, settings, progress, ct, logger);
        logger?.LogInformation(
            "Standing rebuilt set-based to {Ceiling}: {Institutions} institutions, {Events} events, {Facts} facts in {Seconds:0.0} s (folded and copied by {Folded:0.0} s, index and swap {Swap:0.0} s); {Profile}",
            report.Ceiling, report.Institutions, report.Events, report.Facts, report.Seconds, report.FoldSeconds, report.SwapSeconds, report.Profile);
    }
}

public static class ReplayEndpoints
{
    [WolverineGet("/api/audit/replay"), Tags("Audit")]
    public static Task<ReplayReport> Compare(IDocumentStore store, CancellationToken ct) => ReplayCheck.CompareAsync(store, ct);
}

[Description("Replays every stream and reports any difference from the read models", Name = "audit-replay")]
public class AuditReplayCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var report = await ReplayCheck.CompareAsync(host.Services.GetRequiredService<IDocumentStore>(), CancellationToken.None);
        Console.WriteLine($"{report.Status}: {report.ModelsChecked} read models replayed in {report.Seconds:0.00} s");
        foreach (var d in report.Differences) Console.WriteLine($"  {d.Model} {d.Id}:\n    stored   {d.Stored}\n    replayed {d.Replayed}");
        return report.Status == "ok";
    }
}
