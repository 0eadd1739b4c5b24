using System.Collections.Concurrent;
using System.Diagnostics;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace CareRegistry.Audit;

public record ChainBreak(Guid StreamId, long Version, long Sequence, string Kind, string? Expected, string? Found);

// Tombstones: Marten's fillers for sequence numbers a failed transaction had reserved (AuditChain.IsTombstone),
// counted apart from the events checked.
public record VerifyReport(string Status, long EventsChecked, long StreamsChecked, long Tombstones, double Seconds, IReadOnlyList<ChainBreak> Breaks);

public static class ChainVerifier
{
    // About this many events per range: small enough for each range's sort to stay in memory and for progress to move.
    // (Settable so a test can walk a handful of events in several ranges.)
    public static int EventsPerRange { get; set; } = 50_000;

    // Recomputes every event's hash from its row and the stored hash before it in its stream, inside PostgreSQL. An
    // edited body or metadata, a reordered or renumbered event, an event inserted without the trigger, and an event
    // deleted from the middle of a stream (the next one no longer follows) each show as a break at the exact event.
    // Tombstones are not chained and not walked, but a row only passes as one where Marten puts them, in a stream of
    // tombstones alone (else `tombstone-in-stream`); and one that carries a link (chained before tombstones were left
    // out) must still match it, so an event rewritten to look like a tombstone is a `hash-mismatch`.
    // Every check looks at one stream at a time, so the log is split into ranges of stream ids (boundaries drawn from
    // mt_streams so the ranges hold about as many events each) walked on several connections at once, as many as
    // the machine has cores: a window function cannot run in PostgreSQL's parallel workers, but ranges can. Each
    // range counts its own events and streams (a stream lies in one range, so the counts add up), and logs a line as
    // it ends. Chain rows whose event is gone (`event-deleted`) are found by sequence, in one more statement.
    public static async Task<VerifyReport> VerifyAsync(IDocumentStore store, NpgsqlDataSource dataSource, CancellationToken ct, ILogger? logger = null)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var watch = Stopwatch.StartNew();
        var ranges = await RangesAsync(dataSource, schema, ct);
        var breaks = new ConcurrentBag<ChainBreak>();
        long events = 0, streams = 0, tombstones = 0, done = 0;

        var deleted = Task.Run(async () =>
        {
            await using var cmd = dataSource.CreateCommand($"""
                select c.seq_id, c.stream_id, c.version, 'event-deleted', {AuditChain.Hex("c.hash")}, null
                from {schema}.{AuditChain.Table} c where not exists (select 1 from {schema}.mt_events e where e.seq_id = c.seq_id)
                """);
            cmd.CommandTimeout = 600;
            await ReadBreaksAsync(cmd, breaks, ct);
        }, ct);

        await Parallel.ForEachAsync(ranges.Select((r, i) => (r.From, r.To, Index: i)),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = ct },
            async (range, token) =>
            {
                var started = watch.Elapsed;
                await using var connection = await dataSource.OpenConnectionAsync(token);
                await using var tx = await connection.BeginTransactionAsync(token);
                // The range's rows are sorted by stream, tombstone and version for the window: in memory, not on disk.
                await using (var set = new NpgsqlCommand("set local work_mem = '64MB'", connection, tx)) await set.ExecuteNonQueryAsync(token);
                await using var cmd = new NpgsqlCommand(RangeSql(schema, range.From is not null, range.To is not null), connection, tx) { CommandTimeout = 600 };
                if (range.From is { } from) cmd.Parameters.AddWithValue("from", from);
                if (range.To is { } to) cmd.Parameters.AddWithValue("to", to);
                var counts = await ReadBreaksAsync(cmd, breaks, token);
                await tx.CommitAsync(token);
                Interlocked.Add(ref events, counts.Events);
                Interlocked.Add(ref streams, counts.Streams);
                Interlocked.Add(ref tombstones, counts.Tombstones);
                var total = Interlocked.Add(ref done, counts.Events + counts.Tombstones);
                logger?.LogInformation("verify: range {Range} of {Ranges} checked {Events} events in {Seconds:0.00} s ({Done} events so far, {Breaks} breaks)",
                    range.Index + 1, ranges.Count, counts.Events + counts.Tombstones, (watch.Elapsed - started).TotalSeconds, total, breaks.Count);
            });
        await deleted;

        var ordered = breaks.OrderBy(b => b.Sequence).ThenBy(b => b.Kind, StringComparer.Ordinal).ToList();
        var report = new VerifyReport(ordered.Count == 0 ? "ok" : "broken", events, streams, tombstones, watch.Elapsed.TotalSeconds, ordered);
        Common.RegistryMetrics.RecordVerify(report.Status, ordered.Count, report.EventsChecked, report.Seconds);
        return report;
    }

    // Boundaries between ranges of stream ids: every n-th stream id of mt_streams. Each range is open at its ends, so
    // an event of a stream mt_streams does not know (a tombstone's) still falls in exactly one.
    private static async Task<List<(Guid? From, Guid? To)>> RangesAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"""
            with n as (select (select count(*) from {schema}.mt_events) as events, (select count(*) from {schema}.mt_streams) as streams),
                 k as (select greatest(1, least(64, events / {EventsPerRange}))::int as ranges, streams from n)
            select id from (select id, row_number() over (order by id) as i from {schema}.mt_streams) s, k
            where k.ranges > 1 and s.i % greatest(1, k.streams / k.ranges) = 0 and s.i < k.streams
            order by id
            """);
        var bounds = new List<Guid>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) bounds.Add(reader.GetGuid(0));
        var ranges = new List<(Guid?, Guid?)>();
        Guid? from = null;
        foreach (var bound in bounds) { ranges.Add((from, bound)); from = bound; }
        ranges.Add((from, null));
        return ranges;
    }

    private static async Task<(long Events, long Streams, long Tombstones)> ReadBreaksAsync(NpgsqlCommand cmd, ConcurrentBag<ChainBreak> breaks, CancellationToken ct)
    {
        (long, long, long) counts = default;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (reader.IsDBNull(0)) { counts = (reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8)); continue; }
            breaks.Add(new ChainBreak(reader.GetGuid(1), reader.GetInt64(2), reader.GetInt64(0), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return counts;
    }

    // One range of streams: the breaks, then one row (sequence null) with the range's counts. Each event's link is
    // looked up by its sequence in the chain's primary key, wherever the link says it belongs (an event moved into a
    // stream of tombstones must still meet its link). As a join PostgreSQL hashed the whole chain for every range: at
    // 1.3 M events each of 26 ranges read all 1.3 M links (1.2 of its 2.2 s); `limit 1` keeps the lookup per event.
    private static string RangeSql(string schema, bool from, bool to)
    {
        var hash = $"{schema}.careregistry_event_hash";
        var where = string.Join(" and ", new[] { from ? "e.stream_id >= @from" : null, to ? "e.stream_id < @to" : null }.Where(c => c is not null));
        return $"""
            with walked as (
                select e.seq_id, e.stream_id, e.version, t.tombstone, {AuditChain.Hex("c.hash")} as found, c.seq_id is null as unchained,
                       bool_and(t.tombstone) over s as tombstones_only,
                       lag(e.version) over w as prev_version,
                       case when not t.tombstone
                            then {hash}({AuditChain.Hex("lag(c.hash) over w")}, e.stream_id, e.version, e.type, e.data, e.headers,
                                     e.user_name, e.correlation_id, e.causation_id, e.timestamp)
                            when c.seq_id is not null
                            then {hash}({AuditChain.Hex("c.prev_hash")}, e.stream_id, e.version, e.type, e.data, e.headers,
                                     e.user_name, e.correlation_id, e.causation_id, e.timestamp)
                       end as expected
                from {schema}.mt_events e
                cross join lateral (select {AuditChain.IsTombstone("e")} as tombstone) t
                left join lateral (select l.seq_id, l.hash, l.prev_hash from {schema}.{AuditChain.Table} l where l.seq_id = e.seq_id limit 1) c on true
                {(where.Length > 0 ? "where " + where : "")}
                window w as (partition by e.stream_id, t.tombstone order by e.version), s as (partition by e.stream_id)
            ), judged as (
                select seq_id, stream_id, version, tombstone, expected, found,
                       case when not tombstone then
                                case when unchained then 'unchained'
                                     when coalesce(prev_version, 0) <> version - 1 then 'missing-before'
                                     when found is distinct from expected then 'hash-mismatch' end
                            when not tombstones_only then 'tombstone-in-stream'
                            when not unchained and found is distinct from expected then 'hash-mismatch'
                       end as kind
                from walked
            )
            select seq_id, stream_id, version, kind, expected, found, null::bigint, null::bigint, null::bigint from judged where kind is not null
            union all
            select null, null, null, null, null, null, count(*) filter (where not tombstone),
                   count(distinct stream_id) filter (where not tombstone), count(*) filter (where tombstone)
            from judged
            """;
    }
}

public static class VerifyChainEndpoint
{
    [WolverineGet("/api/audit/verify"), Tags("Audit")]
    public static Task<VerifyReport> Get(IDocumentStore store, NpgsqlDataSource dataSource, ILogger<VerifyReport> logger, CancellationToken ct) =>
        ChainVerifier.VerifyAsync(store, dataSource, ct, logger);
}

[Description("Checks every stream's hash chain and reports each break", Name = "audit-verify")]
public class AuditVerifyCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var report = await ChainVerifier.VerifyAsync(host.Services.GetRequiredService<IDocumentStore>(),
            host.Services.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None,
            host.Services.GetRequiredService<ILogger<VerifyReport>>());
        Console.WriteLine($"{report.Status}: {report.EventsChecked} events in {report.StreamsChecked} streams checked in {report.Seconds:0.00} s ({report.Tombstones} tombstones)");
        foreach (var b in report.Breaks)
            Console.WriteLine($"  {b.Kind}: stream {b.StreamId} version {b.Version} (sequence {b.Sequence}) expected {b.Expected ?? "-"} found {b.Found ?? "-"}");
        return report.Status == "ok";
    }
}
