using JasperFx.Events.Projections;
using Marten;

namespace CareRegistry.Inspections;

public static class InspectionsConfiguration
{
    public static StoreOptions ConfigureInspections(this StoreOptions opts)
    {
        // Inline: an inspector sees the finding just recorded, and the institution view reads inspections directly.
        opts.Projections.Add(new InspectionSnapshot(), ProjectionLifecycle.Inline);
        // An institution's inspections are found by the institutions they name, through a GIN index of that array alone
        // (OfInstitution). It replaced one of the whole document, which took an entry for every path and value of an
        // inspection on each update (some fifty), into a pending list that every lookup reads whole until a vacuum
        // merges it (full 38's data: an agreements' lookup 0.32 ms with 92 pending pages, 0.07 ms merged). This one
        // takes an entry per institution named, straight into the index (MemberIndex.WithoutPendingList).
        opts.Schema.For<Inspection>().GinIndexJsonDataMember(x => x.InstitutionIds, Common.MemberIndex.WithoutPendingList);
        return opts;
    }

    // The SQL condition on an inspection document (alias d, or the one given) that it names the institution, which that
    // index serves.
    public static string OfInstitution(Guid institutionId, string alias = "d") => Common.MemberIndex.Names("institutionIds", institutionId, alias);
}

public sealed class InspectionSnapshot : Common.RetractableSnapshot<Inspection>
{
    protected override Inspection? Evolve(Inspection? state, object @event) => Inspection.Next(state, @event);

    protected override object Read(JasperFx.Events.IEvent e) => Inspection.Read(e);
}
