using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Weasel.Postgresql.Tables;

namespace CareRegistry.Institutions;

public static class InstitutionsConfiguration
{
    public static StoreOptions ConfigureInstitutions(this StoreOptions opts)
    {
        // Inline: a caller sees its own registration at once, and the unique USCC index refuses a racing duplicate
        // in the same transaction as the event.
        opts.Projections.Snapshot<Institution>(SnapshotLifecycle.Inline);
        opts.Schema.For<Institution>()
            .Duplicate(x => x.Uscc, notNull: true)
            .UniqueIndex(UniqueIndexType.DuplicatedField, "ux_institution_uscc", x => x.Uscc)
            .Duplicate(x => x.Jurisdiction, notNull: true)
            .Duplicate(x => x.PredecessorId!)
            // Substrings of Chinese names are found through pg_trgm (three characters or more).
            .Index(x => x.Name, i =>
            {
                i.Name = "ix_institution_name_trgm";
                i.Method = IndexMethod.gin;
                i.Mask = "? gin_trgm_ops";
            });
        return opts;
    }
}
