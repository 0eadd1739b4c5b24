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
    // Recomputes every event's hash from its row and the stored hash before it in its stream, in one pass inside
    // PostgreSQL. An edited body or metadata, a reordered or renumbered event, an event inserted without the
    // trigger, and an event deleted from the middle of a stream (the next one no longer follows) each show as a
    // break at the exact event. Tombstones are not chained and not walked, but a row only passes as one where
    // Marten puts them, in a stream of tombstones alone (else `tombstone-in-stream`); and one that carries a link
    // (chained before tombstones were left out) must still match it, so an event rewritten to look like a
    // tombstone is a `hash-mismatch`.
    public static async Task<VerifyReport> VerifyAsync(IDocumentStore store, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var watch = Stopwatch.StartNew();
        var hash = $"{schema}.careregistry_event_hash";
        var sql = $"""
            with walked as (
                select e.seq_id, e.stream_id, e.version, t.tombstone, c.hash as found, c.seq_id is null as unchained,
                       bool_and(t.tombstone) over s as tombstones_only,
                       lag(e.version) over w as prev_version,
                       case when not t.tombstone
                            then {hash}(lag(c.hash) over w, e.stream_id, e.version, e.type, e.data, e.headers,
                                     e.user_name, e.correlation_id, e.causation_id, e.timestamp)
                            when c.seq_id is not null
                            then {hash}(c.prev_hash, e.stream_id, e.version, e.type, e.data, e.headers,
                                     e.user_name, e.correlation_id, e.causation_id, e.timestamp)
                       end as expected
                from {schema}.mt_events e
                cross join lateral (select {AuditChain.IsTombstone("e")} as tombstone) t
                left join {schema}.{AuditChain.Table} c on c.seq_id = e.seq_id
                window w as (partition by e.stream_id, t.tombstone order by e.version), s as (partition by e.stream_id)
            ), judged as (
                select seq_id, stream_id, version, expected, found,
                       case when not tombstone then
                                case when unchained then 'unchained'
                                     when coalesce(prev_version, 0) <> version - 1 then 'missing-before'
                                     when found is distinct from expected then 'hash-mismatch' end
                            when not tombstones_only then 'tombstone-in-stream'
                            when not unchained and found is distinct from expected then 'hash-mismatch'
                       end as kind
                from walked
            )
            select seq_id, stream_id, version, kind, expected, found from judged where kind is not null
            union all
            select c.seq_id, c.stream_id, c.version, 'event-deleted', c.hash, null
            from {schema}.{AuditChain.Table} c left join {schema}.mt_events e on e.seq_id = c.seq_id
            where e.seq_id is null
            order by 1
            """;
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.CommandTimeout = 600;
        var breaks = new List<ChainBreak>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                breaks.Add(new ChainBreak(reader.GetGuid(1), reader.GetInt64(2), reader.GetInt64(0), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));

        await using var counts = dataSource.CreateCommand($"""
            select count(*) filter (where not tombstone), count(distinct stream_id) filter (where not tombstone), count(*) filter (where tombstone)
            from (select e.stream_id, {AuditChain.IsTombstone("e")} as tombstone from {schema}.mt_events e) x
            """);
        await using var r = await counts.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var report = new VerifyReport(breaks.Count == 0 ? "ok" : "broken", r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), watch.Elapsed.TotalSeconds, breaks);
        Common.RegistryMetrics.RecordVerify(report.Status, breaks.Count, report.EventsChecked, report.Seconds);
        return report;
    }
}

public static class VerifyChainEndpoint
{
    [WolverineGet("/api/audit/verify"), Tags("Audit")]
    public static Task<VerifyReport> Get(IDocumentStore store, NpgsqlDataSource dataSource, CancellationToken ct) =>
        ChainVerifier.VerifyAsync(store, dataSource, ct);
}

[Description("Checks every stream's hash chain and reports each break", Name = "audit-verify")]
public class AuditVerifyCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var report = await ChainVerifier.VerifyAsync(host.Services.GetRequiredService<IDocumentStore>(),
            host.Services.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);
        Console.WriteLine($"{report.Status}: {report.EventsChecked} events in {report.StreamsChecked} streams checked in {report.Seconds:0.00} s ({report.Tombstones} tombstones)");
        foreach (var b in report.Breaks)
            Console.WriteLine($"  {b.Kind}: stream {b.StreamId} version {b.Version} (sequence {b.Sequence}) expected {b.Expected ?? "-"} found {b.Found ?? "-"}");
        return report.Status == "ok";
    }
}
