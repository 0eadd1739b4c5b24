using System.Diagnostics;
using CareRegistry.Common;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace CareRegistry.Statistics;

public record StandingRebuildReport(long Ceiling, int Institutions, long Events, long Facts, double Seconds, double FoldSeconds, double WriteSeconds,
    double SwapSeconds, string Profile);

// The standing projection rebuilt set-based, beside the daemon's event-by-event path (the rebuild's long pole: its
// batches load, fold and write institution by institution through the daemon at about 3,000 events/s). The shard is
// stopped on the node's own daemon; the log up to its high-water mark is read once per partition of institutions
// (the events concerning them, found by the concerned-institutions index) and folded in memory, institution by
// institution, through the very step the daemon's batches take (StandingProjection.StepAsync), so the rows are the same
// rows; the facts and standings go by binary COPY into fresh tables, which are indexed once filled and swapped for the
// old ones in one transaction that also moves the shard's progression to the high-water mark. The shard then starts
// again on the same daemon and continues from there. Partitions run on several connections at once; only one
// partition per worker is in memory.
public static class StandingRebuild
{
    // A partition's events, standings and facts are in memory at once on each worker, and they are most of a
    // rebuild's heap: after writes and reads at full scale, 250 institutions peaked at 411 MB of RSS and 125 at 363 MB,
    // about a tenth slower (docs/performance-log.md, the thirteenth stop).
    // KeepStoppedEvery: how often the fold looks for its shard started again meanwhile (ShardHandover.KeepStoppedAsync).
    public sealed record Settings(int Partition = 125, int Workers = 2, TimeSpan? KeepStoppedEvery = null);

    // Tables derived from the standing facts (per-district figures and the like) hang off this hook: it runs inside the
    // swap transaction, after the fresh fact table took the old one's place and before the shard starts again, and
    // must leave them as a rebuild from empty would (cleared, to be filled again). The per-district figures
    // (AreaSummaries) are emptied with their versions, so the next read seeds the versions again and recomputes.
    public static async Task ClearDerivedTablesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var clear = new NpgsqlCommand($"delete from {StandingAreaFigures.Table}; delete from {StandingAreaVersion.Table};", connection, transaction);
        await clear.ExecuteNonQueryAsync(ct);
    }

    // shardOnThisNode: the shard's control where it runs on this node at the moment of asking, or null.
    public static async Task<StandingRebuildReport> RunAsync(IDocumentStore store, NpgsqlDataSource db, Func<Task<ShardControl?>> shardOnThisNode,
        Settings settings, Action<long>? progress, CancellationToken ct, ILogger? logger = null)
    {
        var watch = Stopwatch.StartNew();
        var options = (StoreOptions)store.Options;
        var events = options.Events.DatabaseSchemaName;
        var factTable = FreshTable.Of(options, typeof(StandingFact));
        var standingTable = FreshTable.Of(options, typeof(InstitutionStanding));
        var shard = $"{StandingProjection.Name}:All";
        var profileBefore = StandingProfile.Read();

        var handover = new ShardHandover(db, events, shard, shardOnThisNode, logger);
        // Kept stopped while the partitions are folded and the indexes built, until it is stopped again for the swap.
        await handover.StopAsync(settings.KeepStoppedEvery ?? TimeSpan.FromSeconds(1));
        var swapped = false;
        try
        {
            var ceiling = await ShardHandover.CeilingAsync(db, events, ct);
            // Every institution an event up to it may concern: a superset (StandingProjection.Concerned decides), named by
            // the history index's own function. While its body ran a query, the ids were read inline here instead (4 s
            // against 11 s of the benchmark's 1.9 million events); with its loop the function lists the same institutions
            // in the same order in 2.2-2.3 s of 1.2 million events, against 3.9-5.3 s inline (docs/performance-log.md, the
            // thirty-second stop).
            // Listed in the order the partitions take them: by district (its registration's, read from its own stream),
            // then by first appearance in the log, so that the institutions one event concerns (a joint inspection's,
            // an agreement's parties) mostly fall in one partition and the event is read once. In id order they were
            // scattered: the benchmark's partitions read 2.07 million events for a log of 1.19 million, in this order
            // 1.21 million (docs/performance-log.md, the twenty-fifth stop). Any order gives the same rows.
            var institutions = new List<Guid>();
            await using (var keys = db.CreateCommand($"""
                select v from (
                    select v, min(case when e.stream_id::text = v then e.data ->> 'jurisdiction' end) as place, min(e.seq_id) as first
                    from {events}.mt_events e, unnest({events}.{Institutions.ConcernedEvents.Function}(e.data)) v
                    where e.seq_id <= $1 group by v) listed
                order by place, first, v
                """))
            {
                // A pass over the whole log (2.3 s at 1.2 million events here): no timeout, as for the index builds.
                keys.CommandTimeout = 0;
                keys.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ceiling });
                await using var reader = await keys.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) if (Guid.TryParse(reader.GetString(0), out var id)) institutions.Add(id);
            }

            progress?.Invoke(0);
            await factTable.CreateAsync(db, ct);
            // The standings' compression, as the old table has it (StandingCompression).
            await standingTable.CreateAsync(db, ct, StandingCompression.Sql(standingTable.Fresh));
            var partitions = institutions.Chunk(settings.Partition).ToList();
            var (done, eventCount, factCount, standingCount) = (0, 0L, 0L, 0);
            var (foldTicks, writeTicks) = (0L, 0L);
            await Parallel.ForEachAsync(partitions, new ParallelOptions { MaxDegreeOfParallelism = settings.Workers, CancellationToken = ct }, async (partition, token) =>
            {
                var fold = await FoldAsync(store, db, partition, ceiling, token);
                var written = Stopwatch.GetTimestamp();
                await CopyAsync(db, options, factTable, standingTable, fold, token);
                Interlocked.Add(ref writeTicks, Stopwatch.GetTimestamp() - written);
                Interlocked.Add(ref foldTicks, fold.Ticks);
                Interlocked.Add(ref eventCount, fold.Events);
                Interlocked.Add(ref factCount, fold.Facts.Count);
                Interlocked.Add(ref standingCount, fold.Standings.Count);
                // Partitions are folded in no order of the log: the share of them done, as a sequence of the log.
                progress?.Invoke(ceiling * Interlocked.Increment(ref done) / partitions.Count);
            });
            var folded = watch.Elapsed.TotalSeconds;

            var swapWatch = Stopwatch.StartNew();
            await Task.WhenAll(factTable.VacuumAsync(db, ct), standingTable.VacuumAsync(db, ct));
            await FreshTable.IndexAsync(db, [factTable, standingTable], settings.Workers, ct);
            // The swap takes the tables' locks and the shard's progression row in one transaction, tried again while it
            // cannot have the locks (FreshTable.SwapInAsync); the shard is stopped again before each attempt.
            await FreshTable.SwapInAsync(db, [factTable, standingTable], async (connection, tx) =>
            {
                await factTable.SwapAsync(connection, tx, ct);
                await standingTable.SwapAsync(connection, tx, ct);
                await ClearDerivedTablesAsync(connection, tx, ct);
                await using var move = new NpgsqlCommand(ShardHandover.MoveProgression(events, "$1", "$2"), connection, tx);
                move.Parameters.Add(new NpgsqlParameter<string> { TypedValue = shard });
                move.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ceiling });
                await move.ExecuteNonQueryAsync(ct);
            }, ct, handover.StopAgainAsync);
            swapped = true;
            var after = StandingProfile.Read();
            var profile = $"apply {after.ApplySeconds - profileBefore.ApplySeconds:0.0} s, reconcile {after.ReconcileSeconds - profileBefore.ReconcileSeconds:0.0} s " +
                          $"(derive {after.DeriveSeconds - profileBefore.DeriveSeconds:0.0} s) over {after.Events - profileBefore.Events} steps; " +
                          $"read and fold {foldTicks / (double)Stopwatch.Frequency:0.0} s and copy {writeTicks / (double)Stopwatch.Frequency:0.0} s summed over workers";
            return new StandingRebuildReport(ceiling, standingCount, eventCount, factCount, watch.Elapsed.TotalSeconds, folded,
                writeTicks / (double)Stopwatch.Frequency, swapWatch.Elapsed.TotalSeconds, profile);
        }
        catch
        {
            // A failed rebuild leaves the old tables and progression as they were; the fresh tables go.
            await factTable.DropAsync(db);
            await standingTable.DropAsync(db);
            throw;
        }
        finally
        {
            await handover.StartAsync(swapped);
        }
    }

    private sealed record Fold(List<StandingFact> Facts, List<InstitutionStanding> Standings, long Events, long Ticks);

    // One partition of institutions: the events concerning them up to the ceiling, in recording order, each applied to
    // the standings it concerns within the partition. A fact opened and closed at one instant is dropped, as the daemon
    // drops it; every other version of a fact is kept with its last change.
    private static async Task<Fold> FoldAsync(IDocumentStore store, NpgsqlDataSource db, Guid[] partition, long ceiling, CancellationToken ct)
    {
        // Read without parallel workers: PostgreSQL would start two for each partition's read, and on cores the fold
        // already keeps busy they doubled its time (27 ms against 13 for 6,000 events, alone on the machine).
        await using var serial = await SerialTransaction.BeginAsync(db, ct);
        await using var session = store.QuerySession(Marten.Services.SessionOptions.ForTransaction(serial.Transaction));
        // A correction folds its stream again from the log (InstitutionStanding.RefoldAsync) while the partition's reader
        // holds the connection above: on a connection of its own, opened only if a correction comes.
        await using var refolds = store.QuerySession();
        var start = Stopwatch.GetTimestamp();
        var mine = partition.ToHashSet();
        var standings = new Dictionary<Guid, InstitutionStanding>();
        var facts = new Dictionary<Guid, (StandingFact Fact, bool Deleted)>();
        var count = 0L;
        // Each event folded as it is read, not after the partition's whole list: the list outlived several young
        // collections and was copied into the older generations with everything it held, and the collector's pauses
        // were about a fifth of a rebuild (docs/performance-log.md, the thirty-fifth stop).
        // The ceiling is applied here, not in the query: the statement is prepared, and PostgreSQL's generic plan for
        // it (from its sixth run on) scanned the whole primary key for "seq_id <= $2" to AND it with the institutions'
        // index: 120-200 ms of a core per partition on 1.4-1.9 million events, growing with the log
        // (docs/performance-log.md, the twenty-fourth stop). Only the events appended since the rebuild began are read
        // in vain.
        await foreach (var e in session.Events.QueryAllRawEvents()
                           .WhereSql(Institutions.ConcernedEvents.Where(), (object)Institutions.ConcernedEvents.Keys(partition))
                           .OrderBy(e => e.Sequence).ToAsyncEnumerable(ct))
        {
            if (e.Sequence > ceiling) break;
            count++;
            foreach (var id in StandingProjection.Concerned(e))
            {
                if (!mine.Contains(id)) continue;
                if (!standings.TryGetValue(id, out var standing)) standings[id] = standing = new InstitutionStanding { Id = id };
                await StandingProjection.StepAsync(refolds, standing, e, facts, ct);
            }
        }
        return new Fold(facts.Values.Where(f => !f.Deleted).Select(f => f.Fact).ToList(), standings.Values.ToList(), count,
            Stopwatch.GetTimestamp() - start);
    }

    private static async Task CopyAsync(NpgsqlDataSource db, StoreOptions options, FreshTable facts, FreshTable standings, Fold fold, CancellationToken ct)
    {
        var serializer = options.Serializer();
        await using var connection = await db.OpenConnectionAsync(ct);
        var columns = StandingFact.Columns;
        var types = columns.Select(c => c.Type switch
        {
            "uuid" => NpgsqlDbType.Uuid, "varchar" => NpgsqlDbType.Varchar, "date" => NpgsqlDbType.Date, "timestamptz" => NpgsqlDbType.TimestampTz,
            "integer" => NpgsqlDbType.Integer, _ => throw new InvalidOperationException($"no COPY type for {c.Type}"),
        }).ToArray();
        await using (var copy = await connection.BeginBinaryImportAsync(
                         $"copy {facts.Fresh} (id, data, {string.Join(", ", columns.Select(c => c.Name))}) from stdin (format binary)", ct))
        {
            foreach (var f in fold.Facts)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(f.Id, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(StandingSql.StoredBody(f), NpgsqlDbType.Jsonb, ct);
                for (var i = 0; i < columns.Length; i++)
                    if (columns[i].Value(f) is { } value) await copy.WriteAsync(value, types[i], ct);
                    else await copy.WriteNullAsync(ct);
            }
            await copy.CompleteAsync(ct);
        }
        await using (var copy = await connection.BeginBinaryImportAsync($"copy {standings.Fresh} (id, data, mt_dotnet_type) from stdin (format binary)", ct))
        {
            var type = typeof(InstitutionStanding).FullName;
            // Each standing's JSON as UTF-8 in one buffer, not as a string (several kilobytes of UTF-16 per standing, a
            // third of a rebuild's strings: docs/performance-log.md, the thirty-fifth stop).
            var json = new System.Buffers.ArrayBufferWriter<byte>();
            foreach (var s in fold.Standings)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(s.Id, NpgsqlDbType.Uuid, ct);
                json.ResetWrittenCount();
                serializer.WriteTo(json, s);
                await copy.WriteAsync(json.WrittenMemory, NpgsqlDbType.Jsonb, ct);
                await copy.WriteAsync(type, NpgsqlDbType.Varchar, ct);
            }
            await copy.CompleteAsync(ct);
        }
    }
}
