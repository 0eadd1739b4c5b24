using CareRegistry.Common;
using CareRegistry.Institutions;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Microsoft.Extensions.Logging;
using Npgsql;
using Wolverine.Http;

namespace CareRegistry.Statistics;

// Registry-wide figures for a dashboard: every event recorded, by type, and institutions registered per district
// and per kind. One document under a fixed key.
public sealed class RegistryCounts
{
    public const string Key = "registry";

    public string Id { get; set; } = Key;

    public long Events { get; set; }

    public long LastSequence { get; set; }

    public SortedDictionary<string, long> EventsByType { get; set; } = [];

    public SortedDictionary<string, int> InstitutionsByJurisdiction { get; set; } = [];

    public SortedDictionary<string, int> InstitutionsByKind { get; set; } = [];
}

public sealed class RegistryCountsProjection : MultiStreamProjection<RegistryCounts, string>
{
    public const string ProjectionName = "RegistryCounts";

    public RegistryCountsProjection()
    {
        Name = ProjectionName;
        Identity<IRegistryEvent>(_ => RegistryCounts.Key);
    }

    public override RegistryCounts? Evolve(RegistryCounts? snapshot, string id, IEvent e)
    {
        snapshot ??= new RegistryCounts { Id = id };
        snapshot.Events++;
        snapshot.LastSequence = Math.Max(snapshot.LastSequence, e.Sequence);
        snapshot.EventsByType[e.EventTypeName] = snapshot.EventsByType.GetValueOrDefault(e.EventTypeName) + 1;
        if (e.Data is InstitutionRegistered registered)
        {
            snapshot.InstitutionsByJurisdiction[registered.Jurisdiction] = snapshot.InstitutionsByJurisdiction.GetValueOrDefault(registered.Jurisdiction) + 1;
            var kind = Json.Wire(registered.Kind);
            snapshot.InstitutionsByKind[kind] = snapshot.InstitutionsByKind.GetValueOrDefault(kind) + 1;
        }
        return snapshot;
    }
}

// RegistryCounts rebuilt set-based: the same document the daemon's replay makes (every registry event counted, by
// type, and the registrations by district and kind), counted by PostgreSQL up to the daemon's high-water mark and
// stored in one transaction with the shard's progression moved there, the shard handed over as the standing fold's
// is (ShardHandover). Replayed through the daemon, it read and deserialized every event of the log for a
// handful of counters: counted here, a rebuild of 220,000 events took about 14 % less CPU (docs/performance-log.md,
// "The thirty-first stop").
public static class RegistryCountsRebuild
{
    public static async Task RunAsync(IDocumentStore store, NpgsqlDataSource db, Func<Task<ShardControl?>> shardOnThisNode,
        CancellationToken ct, ILogger? logger = null)
    {
        var options = (StoreOptions)store.Options;
        var events = options.Events.DatabaseSchemaName;
        var shard = $"{RegistryCountsProjection.ProjectionName}:All";
        var handover = new ShardHandover(db, events, shard, shardOnThisNode, logger);
        await handover.StopAsync();
        var stored = false;
        try
        {
            var ceiling = await ShardHandover.CeilingAsync(db, events, ct);
            var counts = await CountAsync(db, events, ceiling, ct);
            await handover.StopAgainAsync();
            await using var session = store.LightweightSession();
            // An empty log leaves no document, as the daemon's replay does (the route then answers zeros).
            if (counts.Events == 0) session.Delete<RegistryCounts>(RegistryCounts.Key);
            else session.Store(counts);
            session.QueueSqlCommand(ShardHandover.MoveProgression(events, "?", "?"), shard, ceiling);
            await session.SaveChangesAsync(ct);
            stored = true;
        }
        finally
        {
            await handover.StartAsync(stored);
        }
    }

    // What RegistryCountsProjection.Evolve makes of the log up to the ceiling: the events the daemon would give it (not
    // archived, of a type that is a registry event), by their type's name, and the registrations by district and kind,
    // in one pass over the log.
    private static async Task<RegistryCounts> CountAsync(NpgsqlDataSource db, string events, long ceiling, CancellationToken ct)
    {
        var counts = new RegistryCounts();
        await using var command = db.CreateCommand($"""
            select type, mt_dotnet_type, case when mt_dotnet_type = $2 then data ->> 'jurisdiction' end,
                   case when mt_dotnet_type = $2 then data ->> 'kind' end, count(*), max(seq_id)
            from {events}.mt_events where seq_id <= $1 and not is_archived group by 1, 2, 3, 4
            """);
        // A pass over the whole log: no timeout, as for the standing rebuild's.
        command.CommandTimeout = 0;
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ceiling });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{typeof(InstitutionRegistered).FullName}, {typeof(InstitutionRegistered).Assembly.GetName().Name}" });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var type = reader.IsDBNull(1) ? null : Type.GetType(reader.GetString(1));
            if (type is null || !typeof(IRegistryEvent).IsAssignableFrom(type)) continue;
            var (name, count) = (reader.GetString(0), reader.GetInt64(4));
            counts.Events += count;
            counts.EventsByType[name] = counts.EventsByType.GetValueOrDefault(name) + count;
            counts.LastSequence = Math.Max(counts.LastSequence, reader.GetInt64(5));
            if (type != typeof(InstitutionRegistered)) continue;
            var jurisdiction = reader.GetString(2);
            var kind = Json.Wire(Enum.Parse<InstitutionKind>(reader.GetString(3), ignoreCase: true));
            counts.InstitutionsByJurisdiction[jurisdiction] = counts.InstitutionsByJurisdiction.GetValueOrDefault(jurisdiction) + (int)count;
            counts.InstitutionsByKind[kind] = counts.InstitutionsByKind.GetValueOrDefault(kind) + (int)count;
        }
        return counts;
    }
}

public static class RegistryCountsConfiguration
{
    // Async: no command waits for a dashboard figure, so counting every event costs a command nothing. The async
    // daemon (placed on one node by Wolverine) keeps it current within a moment.
    public static StoreOptions ConfigureRegistryCounts(this StoreOptions opts)
    {
        opts.Projections.Add(new RegistryCountsProjection(), ProjectionLifecycle.Async);
        return opts;
    }
}

public static class RegistryCountsEndpoint
{
    // Counts as far as the daemon has read; an empty registry (or one not yet counted) answers zeros.
    [WolverineGet("/api/statistics/counts"), Tags("Statistics")]
    public static async Task<RegistryCounts> Get(IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<RegistryCounts>(RegistryCounts.Key, ct) ?? new RegistryCounts();
}
