using System.Diagnostics;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace CareRegistry.Audit;

public record ChainBreak(Guid StreamId, long Version, long Sequence, string Kind, string? Expected, string? Found);

public record VerifyReport(string Status, long EventsChecked, long StreamsChecked, double Seconds, IReadOnlyList<ChainBreak> Breaks);

public static class ChainVerifier
{
    // Recomputes every event's hash from its row and the stored hash before it in its stream, in one pass inside
    // PostgreSQL. An edited body or metadata, a reordered or renumbered event, an event inserted without the
    // trigger, and an event deleted from the middle of a stream (the next one no longer follows) each show as a
    // break at the exact event.
    public static async Task<VerifyReport> VerifyAsync(IDocumentStore store, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var watch = Stopwatch.StartNew();
        var sql = $"""
            with walked as (
                select e.seq_id, e.stream_id, e.version, c.hash as found, c.seq_id is null as unchained,
                       lag(e.version) over w as prev_version,
                       {schema}.careregistry_event_hash(lag(c.hash) over w, e.stream_id, e.version, e.type, e.data, e.headers,
                           e.user_name, e.correlation_id, e.causation_id, e.timestamp) as expected
                from {schema}.mt_events e left join {schema}.{AuditChain.Table} c on c.seq_id = e.seq_id
                window w as (partition by e.stream_id order by e.version)
            )
            select null::bigint, null::bigint, seq_id, stream_id, version,
                   case when unchained then 'unchained'
                        when coalesce(prev_version, 0) <> version - 1 then 'missing-before'
                        else 'hash-mismatch' end,
                   expected, found
            from walked
            where unchained or found is distinct from expected or coalesce(prev_version, 0) <> version - 1
            union all
            select null, null, c.seq_id, c.stream_id, c.version, 'event-deleted', c.hash, null
            from {schema}.{AuditChain.Table} c left join {schema}.mt_events e on e.seq_id = c.seq_id
            where e.seq_id is null
            order by 3
            """;
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.CommandTimeout = 600;
        var breaks = new List<ChainBreak>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                breaks.Add(new ChainBreak(reader.GetGuid(3), reader.GetInt64(4), reader.GetInt64(2), reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));

        await using var counts = dataSource.CreateCommand($"select count(*), count(distinct stream_id) from {schema}.mt_events");
        await using var r = await counts.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var report = new VerifyReport(breaks.Count == 0 ? "ok" : "broken", r.GetInt64(0), r.GetInt64(1), watch.Elapsed.TotalSeconds, breaks);
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
        Console.WriteLine($"{report.Status}: {report.EventsChecked} events in {report.StreamsChecked} streams checked in {report.Seconds:0.00} s");
        foreach (var b in report.Breaks)
            Console.WriteLine($"  {b.Kind}: stream {b.StreamId} version {b.Version} (sequence {b.Sequence}) expected {b.Expected ?? "-"} found {b.Found ?? "-"}");
        return report.Status == "ok";
    }
}
