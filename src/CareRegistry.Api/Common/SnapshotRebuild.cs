using System.Diagnostics;
using System.Reflection;
using JasperFx.Events;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace CareRegistry.Common;

// Where the time went: reading the partitions' events and folding each as it comes (the query, their deserialization
// and the fold), writing the documents (serializing and copying), then the vacuum, indexes and swap.
public record SnapshotRebuildReport(string Document, long Ceiling, int Streams, long Events, int Documents, int Refolded, double Seconds,
    double ReadAndFoldSeconds, double WriteSeconds, double SwapSeconds);

// A stream snapshot (RetractableSnapshot) rebuilt set-based instead of replayed through the daemon. The daemon's
// replay of an inline snapshot first deletes every document, then reads the log in batches of its event types and, for
// every batch, loads the documents of the streams the batch touches, folds the batch's events into them and upserts them:
// a stream of ten events is loaded, serialized and written ten times, and its documents are missing until the replay
// reaches them (the benchmark's inspections: 750,000 events, 79,000 streams, 67-79 s of a full rebuild). Here each
// stream is read once, in partitions of streams, folded in memory through the projection's own EvolveAsync (so the
// documents are the daemon's, corrections included), and written once by binary COPY into a fresh table; the table is
// vacuumed, indexed, analysed and swapped for the old one, which serves every read and command until then. The swap
// locks the old table, so commands writing a snapshot wait for it (they are inline: their transaction writes the
// document), and folds again, from the log, the streams that received events after the ceiling the rebuild read up to.
public static class SnapshotRebuild
{
    // A partition's events and documents are in memory at once.
    public sealed record Settings(int Partition = 1000);

    // Runs between the fresh table's indexes and the swap (tests append events there, as a command would meanwhile).
    internal static Func<Task>? BeforeSwapForTests { get; set; }

    public static async Task<SnapshotRebuildReport> RunAsync<T>(IDocumentStore store, NpgsqlDataSource db, RetractableSnapshot<T> projection,
        Settings settings, Action<long>? progress, CancellationToken ct) where T : class
    {
        var watch = Stopwatch.StartNew();
        var options = (StoreOptions)store.Options;
        var events = options.Events.DatabaseSchemaName;
        var table = FreshTable.Of(options, typeof(T));
        var included = projection.IncludedEventTypes.ToHashSet();
        var typeNames = included.Select(t => ((Marten.Events.EventGraph)options.Events).EventMappingFor(t).EventTypeName).Distinct().ToArray();
        var writer = new Writer<T>(options, table, await table.ColumnsAsync(db, ct));
        // Every event up to it is committed (the daemon's high-water mark has passed it).
        var ceiling = await Statistics.ShardHandover.CeilingAsync(db, events, ct);

        // The streams with an event of the projection's types, in the order of their first event: a partition's
        // streams were written at about the same time, so their events lie close together in the log's pages.
        List<Guid> streams;
        await using (var list = db.CreateCommand(
                         $"select stream_id from {events}.mt_events where type = any($1) and seq_id <= $2 group by stream_id order by min(seq_id)"))
        {
            list.CommandTimeout = 0;
            streams = await StreamsAsync(list, typeNames, ceiling, ct);
        }

        var (eventCount, documents) = (0L, 0);
        var (foldTicks, writeTicks) = (0L, 0L);
        try
        {
            await table.CreateAsync(db, ct);
            var partitions = streams.Chunk(settings.Partition).ToList();
            for (var k = 0; k < partitions.Count; k++)
            {
                await using var serial = await SerialTransaction.BeginAsync(db, ct);
                await using var session = store.QuerySession(Marten.Services.SessionOptions.ForTransaction(serial.Transaction));
                // A correction folds its stream again from the log while the partition's reader holds the connection
                // above: on a connection of its own, opened only if a correction comes.
                await using var refolds = store.QuerySession();
                var start = Stopwatch.GetTimestamp();
                // Each event folded as it is read, as the standing's rebuild does: a partition's whole list outlived
                // several young collections (docs/performance-log.md, the thirty-fifth stop).
                var (folded, read) = await FoldAsync(projection, refolds, ReadAsync(session, partitions[k], ct),
                    e => e.Sequence <= ceiling && included.Contains(e.EventType), ct);
                await serial.Transaction.CommitAsync(ct);
                var foldEnd = Stopwatch.GetTimestamp();
                await using (var connection = await db.OpenConnectionAsync(ct))
                    await writer.CopyAsync(connection, table.Fresh, folded, ct);
                (foldTicks, writeTicks) = (foldTicks + foldEnd - start, writeTicks + Stopwatch.GetTimestamp() - foldEnd);
                eventCount += read;
                documents += folded.Count;
                progress?.Invoke(ceiling * (k + 1) / partitions.Count);
            }

            var swapWatch = Stopwatch.StartNew();
            await table.VacuumAsync(db, ct);
            await FreshTable.IndexAsync(db, [table], 1, ct);
            await table.AnalyzeAsync(db, ct);
            if (BeforeSwapForTests is { } hook) await hook();

            var refolded = 0;
            await FreshTable.SwapInAsync(db, [table], async (connection, tx) =>
            {
                // Under the lock no command writes a snapshot of this type: the streams that received events since the
                // ceiling are folded again whole, and replace what the fresh table has of them.
                List<Guid> late;
                await using (var list = new NpgsqlCommand($"select distinct stream_id from {events}.mt_events where type = any($1) and seq_id > $2", connection, tx))
                    late = await StreamsAsync(list, typeNames, ceiling, ct);
                refolded = late.Count;
                if (late.Count > 0)
                {
                    List<Folded<T>> again;
                    await using (var session = store.QuerySession(Marten.Services.SessionOptions.ForTransaction(tx)))
                        // Read whole before folding: a correction's refold reads on this same transaction.
                        (again, _) = await FoldAsync(projection, session, (await ReadAsync(session, late.ToArray(), ct).ToListAsync(ct)).ToAsyncEnumerable(),
                            e => included.Contains(e.EventType), ct);
                    await using (var delete = new NpgsqlCommand($"delete from {table.Fresh} where id = any($1)", connection, tx))
                    {
                        delete.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = late.ToArray() });
                        await delete.ExecuteNonQueryAsync(ct);
                    }
                    await writer.CopyAsync(connection, table.Fresh, again, ct);
                }
                await table.SwapAsync(connection, tx, ct);
            }, ct);
            return new SnapshotRebuildReport(typeof(T).Name, ceiling, streams.Count, eventCount, documents, refolded, watch.Elapsed.TotalSeconds,
                Seconds(foldTicks), Seconds(writeTicks), swapWatch.Elapsed.TotalSeconds);
        }
        catch
        {
            // A failed rebuild leaves the old table as it was; the fresh one goes.
            await table.DropAsync(db);
            throw;
        }
    }

    private static double Seconds(long ticks) => ticks / (double)Stopwatch.Frequency;

    // The streams a listing of the log names, given the snapshot's event types ($1) and the ceiling ($2).
    private static async Task<List<Guid>> StreamsAsync(NpgsqlCommand list, string[] types, long ceiling, CancellationToken ct)
    {
        list.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        list.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ceiling });
        var streams = new List<Guid>();
        await using var reader = await list.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) streams.Add(reader.GetGuid(0));
        return streams;
    }

    // Every event of these streams, in recording order, as they are read.
    private static IAsyncEnumerable<IEvent> ReadAsync(IQuerySession session, Guid[] streams, CancellationToken ct) =>
        session.Events.QueryAllRawEvents().WhereSql("d.stream_id = any(?)", (object)streams).OrderBy(e => e.Sequence).ToAsyncEnumerable(ct);

    private sealed record Folded<T>(Guid Id, T Document, long Version);

    // Each stream's events folded as the daemon folds them: EvolveAsync from nothing, event by event in recording order
    // (the streams' events interleave in the log; each stream's stay in order); the document's version is its last
    // event's (Marten sets the aggregate's Version member and the row's mt_version to it); a stream that folds to
    // nothing has no document. Only the events it includes are folded; Read counts every event read.
    private static async Task<(List<Folded<T>> Documents, long Read)> FoldAsync<T>(RetractableSnapshot<T> projection, IQuerySession session,
        IAsyncEnumerable<IEvent> events, Func<IEvent, bool> include, CancellationToken ct) where T : class
    {
        var streams = new Dictionary<Guid, (T? State, long Version)>();
        var read = 0L;
        await foreach (var e in events.WithCancellation(ct))
        {
            read++;
            if (!include(e)) continue;
            var state = streams.TryGetValue(e.StreamId, out var folding) ? folding.State : null;
            streams[e.StreamId] = (await projection.EvolveAsync(state, e.StreamId, session, e, ct), e.Version);
        }
        var folded = new List<Folded<T>>(streams.Count);
        foreach (var (id, (state, version)) in streams)
        {
            if (state is null) continue;
            Versions<T>.Set(state, version);
            folded.Add(new Folded<T>(id, state, version));
        }
        return (folded, read);
    }

    // The aggregate's Version member, as Marten's convention finds it (a settable long or int named Version).
    private static class Versions<T>
    {
        private static readonly PropertyInfo? Property = typeof(T).GetProperty("Version", BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true } p
                                                         && (p.PropertyType == typeof(long) || p.PropertyType == typeof(int)) ? p : null;

        public static void Set(T document, long version) =>
            Property?.SetValue(document, Property.PropertyType == typeof(int) ? (object)(int)version : version);
    }

    // Writes folded documents into a table shaped as Marten's for T: every column the old table has is filled as
    // Marten's upsert fills it (the JSON by the store's serializer, the .NET type, the version, each duplicated field
    // from its member) or left to its default (the modification time); a column it does not know fails the rebuild
    // before anything is swapped.
    private sealed class Writer<T>(StoreOptions options, FreshTable table, List<string> columns) where T : class
    {
        private readonly List<(string Column, Func<Folded<T>, object?> Value, NpgsqlDbType Type, bool Serialized)> _columns = Plan(options, table, columns);
        private readonly ISerializer _serializer = options.Serializer();

        // Serialized: the value is the document itself, which CopyAsync writes as JSON by the store's serializer.
        private static List<(string, Func<Folded<T>, object?>, NpgsqlDbType, bool)> Plan(StoreOptions options, FreshTable table, List<string> columns)
        {
            var mapping = ((IReadOnlyStoreOptions)options).FindOrResolveDocumentType(typeof(T));
            var plan = new List<(string, Func<Folded<T>, object?>, NpgsqlDbType, bool)>();
            foreach (var column in columns)
            {
                if (column == "mt_last_modified") continue;
                if (column == "id") plan.Add((column, f => f.Id, NpgsqlDbType.Uuid, false));
                else if (column == "data") plan.Add((column, f => f.Document, NpgsqlDbType.Jsonb, true));
                else if (column == "mt_dotnet_type") plan.Add((column, _ => typeof(T).FullName, NpgsqlDbType.Varchar, false));
                else if (column == "mt_version") plan.Add((column, f => f.Version, NpgsqlDbType.Bigint, false));
                else if (mapping.DuplicatedFields.FirstOrDefault(d => d.ColumnName == column) is { } duplicated)
                {
                    var members = duplicated.Members;
                    var type = duplicated.DbType;
                    plan.Add((column, f => Duplicated(members, f.Document, type), type, false));
                }
                else throw new InvalidOperationException($"the set-based rebuild of {table.Qualified} does not know how to fill its column {column}");
            }
            return plan;
        }

        // A member path's value as Marten writes it into its column: an enum by its name into a text column.
        private static object? Duplicated(MemberInfo[] members, object document, NpgsqlDbType type)
        {
            object? value = document;
            foreach (var member in members)
            {
                if (value is null) return null;
                value = member switch { PropertyInfo p => p.GetValue(value), FieldInfo f => f.GetValue(value), _ => throw new InvalidOperationException(member.Name) };
            }
            return value is Enum e && type is NpgsqlDbType.Varchar or NpgsqlDbType.Text ? e.ToString() : value;
        }

        public async Task CopyAsync(NpgsqlConnection connection, string into, List<Folded<T>> documents, CancellationToken ct)
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                $"copy {into} ({string.Join(", ", _columns.Select(c => c.Column))}) from stdin (format binary)", ct);
            // The documents' JSON as UTF-8 in one buffer, by the store's serializer, not as a string per document.
            var json = new System.Buffers.ArrayBufferWriter<byte>();
            foreach (var f in documents)
            {
                await copy.StartRowAsync(ct);
                foreach (var (_, value, type, serialized) in _columns)
                    if (serialized)
                    {
                        json.ResetWrittenCount();
                        _serializer.WriteTo(json, value(f)!);
                        await copy.WriteAsync(json.WrittenMemory, NpgsqlDbType.Jsonb, ct);
                    }
                    else if (value(f) is { } v) await copy.WriteAsync(v, type, ct);
                    else await copy.WriteNullAsync(ct);
            }
            await copy.CompleteAsync(ct);
        }
    }
}
