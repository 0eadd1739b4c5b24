using JasperFx.Events.Projections;
using Marten;

namespace CareRegistry.Inspections;

public static class InspectionsConfiguration
{
    public static StoreOptions ConfigureInspections(this StoreOptions opts)
    {
        // Inline: an inspector sees the finding just recorded, and the institution view reads inspections directly.
        opts.Projections.Add(new InspectionSnapshot(), ProjectionLifecycle.Inline);
        opts.Schema.For<Inspection>().GinIndexJsonDataMember(x => x.InstitutionIds, Common.MemberIndex.WithoutPendingList);
        return opts;
    }

    // The inspections of one institution are found by the institutions they name, through a GIN index of that array
    // alone (OfInstitution). It replaced one of the whole document: that index held every path and value of an
    // inspection, so each update of one added some fifty entries to it, and PostgreSQL gathers a GIN index's new entries
    // in a pending list that every lookup reads whole until a vacuum merges them (on full 38's data a lookup of the
    // partnerships took 0.32 ms with 92 pending pages, 0.07 ms once merged). This index takes eight entries at most per
    // update, put straight into the index (fastupdate off), so a lookup does not grow with the writes since the last vacuum.
    // The SQL condition on an inspection document (alias d) that it names the institution, which that index serves.
    public static string OfInstitution(Guid institutionId, string alias = "d") => Common.MemberIndex.Names("institutionIds", institutionId, alias);
}

public sealed class InspectionSnapshot : Common.RetractableSnapshot<Inspection>
{
    protected override Inspection? Evolve(Inspection? state, object @event) => Inspection.Next(state, @event);

    protected override object Read(JasperFx.Events.IEvent e) => Inspection.Read(e);
}
