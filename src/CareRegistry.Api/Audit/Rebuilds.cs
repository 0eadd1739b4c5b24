using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using CareRegistry.Common;
using CareRegistry.Localization;
using JasperFx.CommandLine;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;
using Wolverine.Runtime.Agents;

namespace CareRegistry.Audit;

public enum RebuildState { Pending, Running, Succeeded, Failed }

// One projection of a rebuild: how far its rebuild has read (the shard's progression) and how long it took.
public record ProjectionRebuildStatus(string Name, string Lifecycle, RebuildState State, long Sequence, double? Seconds, string? Error);

// A rebuild of every projection, as GET /api/admin/projections/rebuilds/{id} shows it. Events: the events in the log
// when it started (what it rebuilds from); eventsPerSecond: those over the seconds it has run.
public record RebuildStatus(Guid Id, RebuildState State, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, long Events,
    double Seconds, double EventsPerSecond, IReadOnlyList<ProjectionRebuildStatus> Projections, string? Error);

// Runs rebuilds of every projection in the background, one at a time: a second request while one runs is refused
// (409, naming the running one), since two rebuilds would tear down each other's read models. The projections are
// rebuilt a few at a time beside the standing fold (ReplayCheck.RebuildAsync: the stream snapshots set-based, the
// others on the node's own daemon), so the rebuild takes about as long as the standing fold. The last few runs are kept in memory for their status resource; a restart
// forgets them (a rebuild cut short by a restart leaves the projections to be rebuilt again).
public sealed class ProjectionRebuilds(IServiceProvider services, ILogger<ProjectionRebuilds> logger, TimeProvider clock) : IAsyncDisposable
{
    private const int Kept = 20;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<Guid, Run> _runs = new();
    private readonly CancellationTokenSource _stopping = new();
    private Run? _current;

    // Tests hold a started rebuild here before it begins, to see it running (and a second request refused) for sure.
    public Task? HoldForTests { get; set; }

    public static string Location(Guid id) => $"/api/admin/projections/rebuilds/{id}";

    public RebuildStatus? Running { get { lock (_gate) return _current is { Finished: null } r ? r.Status() : null; } }

    // Starts a rebuild unless one is running; the running one otherwise (started: false).
    public (RebuildStatus Status, bool Started) Start(long events)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        var projections = ((StoreOptions)store.Options).Projections.All.ToList();
        Run run;
        lock (_gate)
        {
            if (_current is { Finished: null } running) return (running.Status(), false);
            run = new Run(Guid.CreateVersion7(), clock.GetUtcNow(), events,
                projections.Select(p => new ProjectionRun(p.Name, Json.Wire(p.Lifecycle), p.ShardNames().First().Identity)).ToList(), clock);
            _current = run;
            _runs[run.Id] = run;
            foreach (var old in _runs.Values.OrderByDescending(r => r.StartedAt).Skip(Kept)) _runs.TryRemove(old.Id, out _);
        }
        run.Task = Task.Run(() => ExecuteAsync(run, store));
        return (run.Status(), true);
    }

    public async Task<RebuildStatus?> FindAsync(Guid id, CancellationToken ct)
    {
        if (!_runs.TryGetValue(id, out var run)) return null;
        if (run.Finished is not null) return run.Status();
        // While it runs, each projection's progress is its shard's position in the progression table.
        var store = services.GetRequiredService<IDocumentStore>();
        var progress = (await store.Advanced.AllProjectionProgress(token: ct)).ToDictionary(s => s.ShardName, s => s.Sequence);
        foreach (var p in run.Projections)
            // A set-based rebuild moves the progression only as it ends: it reports how far it has folded instead.
            if (p.State == RebuildState.Running && !p.Folding && progress.TryGetValue(p.Shard, out var sequence)) p.Sequence = sequence;
        return run.Status();
    }

    // Waits for the running rebuild, if any (tests, shutdown).
    public Task IdleAsync() { lock (_gate) return _current?.Task ?? Task.CompletedTask; }

    private async Task ExecuteAsync(Run run, IDocumentStore store)
    {
        try
        {
            if (HoldForTests is { } hold) await hold;
            logger.LogInformation("Rebuild {Id}: {Count} projections from {Events} events", run.Id, run.Projections.Count, run.Events);
            await ReplayCheck.RebuildAsync(store, services, _stopping.Token, (name, state, error) =>
            {
                var p = run.Projections.Single(x => x.Name == name);
                p.Mark(state, error);
                if (state != RebuildState.Running)
                    logger.LogInformation("Rebuild {Id}: {Projection} {State} in {Seconds:0.0} s", run.Id, name, state, p.Seconds);
            }, (name, sequence) => run.Projections.Single(x => x.Name == name).Fold(sequence));
            run.Finish(RebuildState.Succeeded, null);
            logger.LogInformation("Rebuild {Id} succeeded: {Events} events in {Seconds:0.0} s", run.Id, run.Events, run.Status().Seconds);
        }
        catch (Exception e)
        {
            run.Finish(RebuildState.Failed, e.Message);
            logger.LogError(e, "Rebuild {Id} failed", run.Id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try { await IdleAsync().WaitAsync(TimeSpan.FromSeconds(30)); } catch (Exception) { /* stopping: its failure is logged */ }
        _stopping.Dispose();
    }

    private sealed class ProjectionRun(string name, string lifecycle, string shard)
    {
        private readonly Stopwatch _watch = new();
        public string Name { get; } = name;
        public string Shard { get; } = shard;
        public RebuildState State { get; private set; } = RebuildState.Pending;
        public long Sequence { get; set; }
        public bool Folding { get; private set; }
        public string? Error { get; private set; }

        public void Fold(long sequence) => (Folding, Sequence) = (true, sequence);
        public double? Seconds => State == RebuildState.Pending ? null : Math.Round(_watch.Elapsed.TotalSeconds, 2);

        public void Mark(RebuildState state, string? error)
        {
            if (state == RebuildState.Running) _watch.Start(); else _watch.Stop();
            (State, Error) = (state, error);
        }

        public ProjectionRebuildStatus Status() => new(Name, lifecycle, State, Sequence, Seconds, Error);
    }

    private sealed class Run(Guid id, DateTimeOffset startedAt, long events, IReadOnlyList<ProjectionRun> projections, TimeProvider clock)
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        public Guid Id { get; } = id;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public long Events { get; } = events;
        public IReadOnlyList<ProjectionRun> Projections { get; } = projections;
        public DateTimeOffset? Finished { get; private set; }
        public RebuildState State { get; private set; } = RebuildState.Running;
        public string? Error { get; private set; }
        public Task Task { get; set; } = Task.CompletedTask;

        public void Finish(RebuildState state, string? error)
        {
            _watch.Stop();
            (State, Error, Finished) = (state, error, clock.GetUtcNow());
        }

        public RebuildStatus Status()
        {
            var seconds = _watch.Elapsed.TotalSeconds;
            return new RebuildStatus(Id, State, StartedAt, Finished, Events, Math.Round(seconds, 2),
                seconds > 0 ? Math.Round(Events / seconds) : 0, Projections.Select(p => p.Status()).ToList(), Error);
        }
    }
}

// How many events the daemon reads and applies per batch, for every projection, rebuilding or following. Each
// projection replaying holds a few batches in flight, so a rebuild's memory grows with the batch; larger batches did
// not shorten a full-scale rebuild, whose long pole is the set-based standing fold. 500 is Marten's own default
// (figures for 500-5,000 in docs/performance-log.md, the twelfth and thirteenth stops).
public static class RebuildTuning
{
    public const int BatchSize = 500;

    // How many projections replay through the daemon at once, beside the set-based standing fold. On a replay of the
    // benchmark's 1.1 million events (docs/performance-log.md, the eleventh stop), all at once (Marten's default, a
    // twelfth of the connection pool: twelve) peaked at 432-441 MB of RSS in 230-274 s; one at a time at 352-358 MB in
    // 214-219 s; two at 359 MB in 183 s.
    public const int Concurrency = 2;

    public static int ConcurrencyOf(IConfiguration? config) => Math.Max(1, config?.GetValue("Rebuild:Concurrency", Concurrency) ?? Concurrency);

    // Rebuild:BatchSize and Rebuild:Concurrency override them, to measure. The runner takes the turns itself; Marten's
    // own cap is left at its default, since a write A/B with it at 2 was slower (not separated from a loaded
    // machine's noise, docs/performance-log.md, the eleventh stop), and Marten's `projections rebuild` takes --max-concurrent.
    public static void Apply(IServiceProvider services, StoreOptions opts)
    {
        var config = services.GetRequiredService<IConfiguration>();
        var batch = config.GetValue("Rebuild:BatchSize", BatchSize);
        foreach (var projection in opts.Projections.All) projection.Options.BatchSize = batch;
    }
}

// The rebuild route's answer: documented as 202 with the status (Wolverine documents an IResult as a 200 of it).
public sealed class RebuildAnswer(IResult inner) : IResult, IEndpointMetadataProvider
{
    public Task ExecuteAsync(HttpContext httpContext) => inner.ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.RemoveStatusCodeResponse(200);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status202Accepted, typeof(RebuildStatus), ["application/json"]));
    }
}

public static class RebuildEndpoints
{
    // The runner, and the daemon's batch for every projection (RebuildTuning), applied once every projection is registered.
    public static IServiceCollection AddProjectionRebuilds(this IServiceCollection services)
    {
        services.AddSingleton<ProjectionRebuilds>();
        services.ConfigureMarten(RebuildTuning.Apply);
        return services;
    }

    // 202 with Location and the status; 409 while another rebuild runs (the detail names where to follow it): wait for
    // it to finish, then ask again. The request returns at once; the rebuild runs in the background.
    [WolverinePost("/api/admin/projections/rebuild"), Tags("Audit")]
    public static async Task<RebuildAnswer> Rebuild(ProjectionRebuilds rebuilds, IDocumentStore store, NpgsqlDataSource db, HttpContext http, CancellationToken ct)
    {
        if (rebuilds.Running is { } running) return new(Busy(running));
        var (status, started) = rebuilds.Start(await EventCountAsync(db, store, ct));
        if (!started) return new(Busy(status));
        http.Response.Headers.Location = ProjectionRebuilds.Location(status.Id);
        return new(Results.Json(status, Json.Options, statusCode: StatusCodes.Status202Accepted));
    }

    // The events a rebuild starts from, for its status.
    public static async Task<long> EventCountAsync(NpgsqlDataSource db, IDocumentStore store, CancellationToken ct)
    {
        await using var count = db.CreateCommand($"select count(*) from {store.Options.Events.DatabaseSchemaName}.mt_events");
        return Convert.ToInt64(await count.ExecuteScalarAsync(ct));
    }

    private static IResult Busy(RebuildStatus running) => Results.Problem(Problems.Conflict(
        L.T("rebuild {0} is still running; follow it at {1} and ask again when it has finished", running.Id, ProjectionRebuilds.Location(running.Id))));

    [WolverineGet("/api/admin/projections/rebuilds/{id}"), Tags("Audit")]
    [ProducesResponseType<RebuildStatus>(200)]
    public static async Task<IResult> Get(Guid id, ProjectionRebuilds rebuilds, CancellationToken ct) =>
        await rebuilds.FindAsync(id, ct) is { } status
            ? Results.Json(status, Json.Options)
            : Results.Problem(Problems.NotFound(L.T("no rebuild {0} on this node (runs are kept in memory; a restart forgets them)", id)));
}

// POST /api/admin/projections/rebuild from the command line, with the service stopped: the same runner on a host
// started as the service starts (as the import does), so Wolverine's node takes the async shards and every projection
// is rebuilt as the route rebuilds it (the standing facts, the counts and the stream snapshots set-based, the rest
// through this node's daemon), where Marten's `projections rebuild` replays each of them through a daemon of its own.
// Each projection's state is printed as it changes; the exit code says whether every projection was rebuilt.
[Description("Rebuilds every projection from the event log as POST /api/admin/projections/rebuild does, with the service stopped", Name = "rebuild")]
public class RebuildCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        string? live;
        try
        {
            live = await LiveNodeAsync(host.Services);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            Console.Error.WriteLine($"cannot reach the database (ConnectionStrings__CareRegistry): {e.Message}; nothing was rebuilt");
            return false;
        }
        if (live is not null)
        {
            Console.Error.WriteLine($"refused: a registry node ({live}) is running on this database; stop the service first "
                                    + "(a node that was killed counts as running until Wolverine's StaleNodeTimeout has passed since its last health check)");
            return false;
        }
        await host.StartAsync();
        var rebuilds = host.Services.GetRequiredService<ProjectionRebuilds>();
        var (status, _) = rebuilds.Start(await RebuildEndpoints.EventCountAsync(host.Services.GetRequiredService<NpgsqlDataSource>(),
            host.Services.GetRequiredService<IDocumentStore>(), CancellationToken.None));
        Console.WriteLine($"rebuild {status.Id}: {status.Projections.Count} projections from {status.Events} events");
        var shown = new Dictionary<string, RebuildState>();
        var finished = rebuilds.IdleAsync();
        while (true)
        {
            var done = await Task.WhenAny(finished, Task.Delay(TimeSpan.FromSeconds(2))) == finished;
            status = (await rebuilds.FindAsync(status.Id, CancellationToken.None))!;
            foreach (var p in status.Projections.Where(p => !shown.TryGetValue(p.Name, out var state) || state != p.State))
            {
                shown[p.Name] = p.State;
                Console.WriteLine($"  {p.Name} ({p.Lifecycle}): {Json.Wire(p.State)}"
                                  + (p.State == RebuildState.Pending ? "" : $" after {p.Seconds:0.0} s") + (p.Error is { } e ? $": {e}" : ""));
            }
            if (done) break;
        }
        Console.WriteLine($"rebuild {status.Id} {Json.Wire(status.State)}: {status.Events} events in {status.Seconds:0.0} s ({status.EventsPerSecond:0} events/s)"
                          + (status.Error is { } error ? $": {error}" : ""));
        await host.StopAsync();
        return status.State == RebuildState.Succeeded;
    }

    // A Wolverine node of this database that checked in within the stale-node timeout: a running service. Its node would
    // keep the shards it runs, and a set-based rebuild's swap would move their progression under them (their next batch
    // then fails as out of order and the shard stays stopped), so the verb refuses before it starts a node of its own.
    // No node table yet: no node has ever run.
    private static async Task<string?> LiveNodeAsync(IServiceProvider services)
    {
        var stale = services.GetRequiredService<Wolverine.WolverineOptions>().Durability.StaleNodeTimeout;
        // Wolverine keeps its nodes in the Marten store's schema (IntegrateWithWolverine names none of its own).
        var schema = services.GetRequiredService<IDocumentStore>().Options.DatabaseSchemaName;
        await using var look = services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"select node_number, started, health_check from {schema}.wolverine_nodes where health_check > now() - $1 order by health_check desc limit 1");
        look.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = stale });
        try
        {
            await using var row = await look.ExecuteReaderAsync();
            return await row.ReadAsync()
                ? $"#{row.GetInt32(0)}, started {row.GetFieldValue<DateTimeOffset>(1):O}, last health check {row.GetFieldValue<DateTimeOffset>(2):O}"
                : null;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }
}
