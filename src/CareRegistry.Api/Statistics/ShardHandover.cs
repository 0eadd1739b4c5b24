using System.Diagnostics;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CareRegistry.Statistics;

// Stops and starts a projection's shard where it runs on this node (Wolverine's agent, or the daemon's own).
public sealed record ShardControl(Func<Task> Stop, Func<Task> Start)
{
    public static ShardControl On(IProjectionDaemon daemon, string projection) =>
        new(() => daemon.StopAgentAsync($"{projection}:All", null), () => daemon.StartAgentAsync($"{projection}:All", CancellationToken.None));
}

// How a set-based rebuild (StandingRebuild, RegistryCountsRebuild) takes a shard's work over and hands it back: the
// shard is stopped where it runs on this node, as the daemon's own rebuild stops it (no control when it runs elsewhere:
// it is left to the node that runs it); kept stopped while the standing's fold and index builds run (KeepStoppedAsync);
// stopped again just before its progression moves (StopAgainAsync says why); and started again whatever happens, then
// watched for a while if the progression moved (KeepRunningAsync). The rebuild works up to CeilingAsync and moves the
// progression there with MoveProgression, in its own transaction.
internal sealed class ShardHandover(NpgsqlDataSource db, string events, string shard, Func<Task<ShardControl?>> shardOnThisNode, ILogger? logger)
{
    private ShardControl? control;
    private CancellationTokenSource? keeping;
    private Task kept = Task.CompletedTask;

    // keepStoppedEvery: look for the shard that often and stop it again, until it is stopped again before the swap or
    // started (KeepStoppedAsync).
    public async Task StopAsync(TimeSpan? keepStoppedEvery = null)
    {
        control = await shardOnThisNode();
        if (control is not null) await control.Stop();
        if (keepStoppedEvery is not { } every) return;
        keeping = new CancellationTokenSource();
        kept = KeepStoppedAsync(every, keeping.Token);
    }

    // Stopped again each time it is found running, until `until` is cancelled. Wolverine's leader starts an agent it
    // finds stopped on its next check of the assignments, and a shard behind the log (after a bulk import, or while it
    // catches up) then folds event by event through the daemon beside the set-based fold, on the same cores, into tables
    // the swap throws away: on the benchmark's database (1.26 million events) with the shard behind, it applied 332,500
    // events that way during one rebuild, which took 77.9 s; kept stopped, the shard moved by none and the rebuild took
    // 61.7 s (docs/performance-log.md, the thirty-sixth stop).
    private async Task KeepStoppedAsync(TimeSpan every, CancellationToken until)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, until);
                if (await shardOnThisNode() is not { } running) continue;
                await running.Stop();
                control = running;
                logger?.LogInformation("The {Shard} shard was started again during its set-based rebuild; stopped again until the swap", shard);
            }
        }
        catch (OperationCanceledException) when (until.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The stop before the swap (StopAgainAsync) still keeps the shard's batches from the moved progression.
            logger?.LogWarning(e, "Could not look for the {Shard} shard during its set-based rebuild; it may run beside the fold", shard);
        }
    }

    private async Task StopKeepingStoppedAsync()
    {
        if (keeping is null) return;
        await keeping.CancelAsync();
        await kept;
        keeping.Dispose();
        keeping = null;
    }

    // Asked again just before the progression moves: Wolverine's leader starts an agent it finds stopped on its
    // next check of the assignments, and a fold at full scale outlasts several checks (or the shard was not yet
    // assigned when the rebuild began). Left running, the shard goes on from where it was; the move puts its
    // progression under it, and its next batch then fails as out of order and Wolverine leaves it stopped for good
    // (full runs 18 to 22 served the standing facts of the bulk load only: docs/performance-log.md, the fourteenth
    // stop).
    public async Task StopAgainAsync()
    {
        await StopKeepingStoppedAsync();
        if (await shardOnThisNode() is not { } again) return;
        await again.Stop();
        control = again;
    }

    public async Task StartAsync(bool progressionMoved)
    {
        await StopKeepingStoppedAsync();
        if (control is null) return;
        await control.Start();
        if (progressionMoved) _ = KeepRunningAsync(control);
    }

    // The statement that sets the shard's progression, in the rebuild's own transaction: its two parameters are
    // the shard's name and the sequence, written as the caller's placeholders ("$1" and "$2" for Npgsql, "?" for
    // Marten).
    public static string MoveProgression(string events, string name, string sequence) => $"""
        insert into {events}.mt_event_progression (name, last_seq_id, last_updated) values ({name}, {sequence}, now())
        on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = now()
        """;

    // How long after the swap (the progression's move) the shard is watched, how often, and how long it may stand still behind the log's
    // high-water mark before it counts as stopped.
    private static readonly TimeSpan WatchAfterSwap = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WatchEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan StillFor = TimeSpan.FromSeconds(5);

    // A batch begun before the swap can still reach the database after it — one the shard had in flight when it was
    // stopped, or one of an agent Wolverine's leader started again between the last stop and the swap — find the
    // progression moved, and fail as out of order; the shard then stands still for good, though Wolverine and the
    // daemon both still list its agent as running (full run 33: the standing facts stood still from the first
    // rebuild on, a batch of 731,000 to 731,500 failing after the swap to 1,102,470). So the shard is judged by its
    // progression: for a while after the swap, one that stands still behind the high-water mark is stopped and started
    // again on this node, where it was started, and goes on from the progression the swap set. The rebuild does not
    // wait for this: it runs beside the shard's first batches.
    private async Task KeepRunningAsync(ShardControl started)
    {
        try
        {
            await using var look = db.CreateCommand(
                $"select (select last_seq_id from {events}.mt_event_progression where name = $1), (select last_seq_id from {events}.mt_event_progression where name = 'HighWaterMark')");
            look.Parameters.Add(new NpgsqlParameter<string> { TypedValue = shard });
            var (watch, still, last, restarts) = (Stopwatch.StartNew(), Stopwatch.StartNew(), -1L, 0);
            while (watch.Elapsed < WatchAfterSwap && restarts < 3)
            {
                await Task.Delay(WatchEvery);
                await using var reader = await look.ExecuteReaderAsync();
                await reader.ReadAsync();
                var (at, mark) = (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.IsDBNull(1) ? 0 : reader.GetInt64(1));
                if (at >= mark || at != last) { (last, still) = (at, Stopwatch.StartNew()); continue; }
                if (still.Elapsed < StillFor) continue;
                restarts++;
                logger?.LogWarning("The {Shard} shard stood still at {Sequence} behind the high-water mark {Mark} right after its set-based rebuild's swap "
                                   + "(a batch begun before it fails as out of order); starting it again", shard, at, mark);
                await started.Stop();
                await started.Start();
                still = Stopwatch.StartNew();
            }
        }
        catch (Exception e)
        {
            logger?.LogError(e, "Could not watch or start the {Shard} shard again after its set-based rebuild", shard);
        }
    }

    // The daemon's high-water mark: below it no event can still appear (a transaction holding a lower sequence has
    // ended). Right after a bulk append (the import command) the daemon may not have moved it yet, and the rest would go
    // through the daemon's path after all, so it is given a few seconds to reach the log's end as it stands now. No
    // mark at all (no daemon has run on this log): the log's end.
    public static async Task<long> CeilingAsync(NpgsqlDataSource db, string events, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"select (select last_seq_id from {events}.mt_event_progression where name = 'HighWaterMark'), coalesce((select max(seq_id) from {events}.mt_events), 0)");
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(250, ct))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var end = reader.GetInt64(1);
            if (reader.IsDBNull(0)) return end;
            var mark = reader.GetInt64(0);
            if (mark >= end || waited.Elapsed > TimeSpan.FromSeconds(10)) return mark;
        }
    }
}
