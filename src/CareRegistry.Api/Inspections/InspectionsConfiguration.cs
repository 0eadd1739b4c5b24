using JasperFx.Events.Projections;
using CareRegistry.Common;
using Marten;

namespace CareRegistry.Inspections;

public static class InspectionsConfiguration
{
    public static StoreOptions ConfigureInspections(this StoreOptions opts)
    {
        // Inline: an inspector sees the finding just recorded, and the institution view reads inspections directly.
        opts.Projections.Add(new InspectionSnapshot(), ProjectionLifecycle.Inline);
        // An institution's inspections are found by the institutions they name, through a GIN index of that array's ids
        // (Inspection.ConfigureMarten, OfInstitution).
        opts.AddIdsFunction();
        return opts;
    }

    // The index, the member it is built over, and the SQL condition on an inspection document (alias d, or the one
    // given) that it names the institution, which the index serves.
    public const string InstitutionIndex = "ix_inspection_institution_ids";
    public const string InstitutionMember = "institutionIds";

    public static string OfInstitution(Guid institutionId, string alias = "d") => MemberIndex.Names(InstitutionMember, institutionId, alias);
}

public sealed class InspectionSnapshot : Common.RetractableSnapshot<Inspection>
{
    protected override Inspection? Evolve(Inspection? state, object @event) => Inspection.Next(state, @event);

    protected override object Read(JasperFx.Events.IEvent e) => Inspection.Read(e);
}
