using JasperFx.Events.Projections;
using Marten;

namespace CareRegistry.Jurisdictions;

public static class JurisdictionsConfiguration
{
    public static StoreOptions ConfigureJurisdictions(this StoreOptions opts)
    {
        opts.Projections.Snapshot<Jurisdiction>(SnapshotLifecycle.Inline);
        return opts;
    }
}
