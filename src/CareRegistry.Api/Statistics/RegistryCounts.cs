using CareRegistry.Common;
using CareRegistry.Institutions;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
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
    public RegistryCountsProjection()
    {
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
