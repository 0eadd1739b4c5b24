using CareRegistry.Common;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace CareRegistry.Audit;

public record ShardProgress(string Name, long Sequence);

public record ProjectionDocuments(string Table, long Count, string Digest);

public record ProjectionState(string Name, string Lifecycle, IReadOnlyList<ShardProgress> Shards, IReadOnlyList<ProjectionDocuments> Documents);

public record ProjectionsReport(long LastEventSequence, long HighWaterMark, bool Current, IReadOnlyList<ProjectionState> Projections);

// Every projection the store knows — inline and async — with how far each async shard has read and a digest of the
// documents it keeps. An operator sees whether the async daemon is keeping up (Current: every shard has read the
// last event); comparing digests before and after a rebuild shows the read models equal what the events say.
// Generic over the store's projections, so a projection added later is covered without touching this.
public static class ProjectionStatus
{
    public static async Task<ProjectionsReport> ReadAsync(IDocumentStore store, NpgsqlDataSource db, CancellationToken ct)
    {
        var options = (StoreOptions)store.Options;
        var schema = options.Events.DatabaseSchemaName;
        var progress = (await store.Advanced.AllProjectionProgress(token: ct)).ToDictionary(s => s.ShardName, s => s.Sequence);
        var lastEvent = await ScalarAsync(db, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", ct);
        var highWaterMark = await ScalarAsync(db, $"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name = '{ShardState.HighWaterMark}'", ct);

        var projections = new List<ProjectionState>();
        foreach (var source in options.Projections.All.OrderBy(p => p.Name))
        {
            var shards = source.Lifecycle == ProjectionLifecycle.Async
                ? source.ShardNames().Select(s => new ShardProgress(s.Identity, progress.GetValueOrDefault(s.Identity))).ToList()
                : [];
            var documents = new List<ProjectionDocuments>();
            foreach (var type in source.PublishedTypes().Distinct())
            {
                var table = options.Storage.FindFeature(type).Objects.OfType<Weasel.Postgresql.Tables.Table>().First().Identifier.QualifiedName;
                documents.Add(await DigestAsync(db, table, ct));
            }
            projections.Add(new ProjectionState(source.Name, Json.Wire(source.Lifecycle), shards, documents));
        }
        var current = projections.SelectMany(p => p.Shards).All(s => s.Sequence >= lastEvent);
        return new ProjectionsReport(lastEvent, highWaterMark, current, projections);
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
    }

    // The stored JSON of every document, in id order: equal digests mean equal documents.
    private static async Task<ProjectionDocuments> DigestAsync(NpgsqlDataSource db, string table, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"select count(*), coalesce(md5(string_agg(id::text || '=' || data::text, ',' order by id)), '') from {table}");
        await using var row = await cmd.ExecuteReaderAsync(ct);
        await row.ReadAsync(ct);
        return new ProjectionDocuments(table, row.GetInt64(0), row.GetString(1));
    }

    [WolverineGet("/api/audit/projections"), Tags("Audit")]
    public static Task<ProjectionsReport> Get(IDocumentStore store, NpgsqlDataSource db, CancellationToken ct) => ReadAsync(store, db, ct);
}
