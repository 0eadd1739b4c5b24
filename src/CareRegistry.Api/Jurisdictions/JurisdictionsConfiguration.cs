using JasperFx.Events.Projections;
using Marten;

namespace CareRegistry.Jurisdictions;

public static class JurisdictionsConfiguration
{
    public static StoreOptions ConfigureJurisdictions(this StoreOptions opts)
    {
        opts.Projections.Snapshot<Jurisdiction>(SnapshotLifecycle.Inline);
        // A district's levels are found by their codes in the statement that finds the district (GetInstitution,
        // Jurisdiction.CodeSql); deriving their ids there took four MD5s and a sub-plan per code (0.05 ms a read).
        opts.Schema.For<Jurisdiction>().Index(x => x.Code);
        return opts;
    }
}
