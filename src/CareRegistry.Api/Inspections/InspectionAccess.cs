using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Institutions;
using Marten;

namespace CareRegistry.Inspections;

// Who may act on an inspection: an officer or inspector of one of its departments, inside the jurisdiction of at
// least one inspected institution and of every institution the act itself is about (a finding's own).
public static class InspectionAccess
{
    public static async Task<AccessSubject> ConcernsAsync(Inspection inspection, IEnumerable<Guid> about, IQuerySession session, CancellationToken ct)
    {
        var inspected = await session.LoadManyAsync<Institution>(ct, inspection.InstitutionIds.ToArray());
        var own = about.ToHashSet();
        return AccessSubject.Nothing.DecidedByAny(inspection.Departments)
            .WithinAny(inspected, L.T("institution of inspection {0}", inspection.Id))
            .WithinAll(inspected.Where(i => own.Contains(i.Id)));
    }

    // The institution a finding is about, when the inspection has it.
    public static IEnumerable<Guid> FindingInstitution(Inspection inspection, Guid findingId) =>
        inspection.Finding(findingId) is { } finding ? [finding.InstitutionId] : [];
}
