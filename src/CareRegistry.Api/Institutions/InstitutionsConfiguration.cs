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
        opts.Projections.Add(new InstitutionSnapshot(), ProjectionLifecycle.Inline);
        // Before the document table, whose search index calls it.
        opts.Storage.ExtendedSchemaObjects.Add(new Common.ReplacedFunction(InstitutionText.FunctionSql(opts.DatabaseSchemaName)));
        opts.Schema.For<Institution>()
            .Duplicate(x => x.Uscc, notNull: true)
            .UniqueIndex(UniqueIndexType.DuplicatedField, "ux_institution_uscc", x => x.Uscc)
            .Duplicate(x => x.Jurisdiction, notNull: true)
            .Duplicate(x => x.PredecessorId!);
        opts.ConfigureSearchStatistics();
        return opts;
    }
}

public sealed class InstitutionSnapshot : Common.RetractableSnapshot<Institution>
{
    // A designation is health's decision, from the Designations slice, recorded on the institution's own stream. Left
    // out, the snapshot missed it and kept the version before it, and the next command, given the version the view
    // shows, was refused as if the stream had not moved.
    public InstitutionSnapshot() => IncludeType<Designations.InstitutionDesignated>();

    protected override Institution? Evolve(Institution? state, object @event) => Institution.Next(state, @event);
}
