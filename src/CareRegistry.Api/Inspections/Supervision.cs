using CareRegistry.Common;
using Marten;

namespace CareRegistry.Inspections;

public record InspectionSummary(Guid Id, string Kind, DateOnly OpenedOn, DateOnly? ClosedOn, IReadOnlyList<string> Departments);

public record OpenRectification(Guid InspectionId, Guid FindingId, string Department, string Category, string Severity, DateOnly Due, bool Overdue,
    bool AwaitingVerification, string? Rectification);

// What inspections say about one institution on a day: the inspections that touched it, rectifications still open
// (overdue ones and those awaiting verification flagged), and demerit points over the 12 months up to that day (overturned findings drop out from
// the decision date; changed points count from their date).
public record Supervision(IReadOnlyList<InspectionSummary> Inspections, IReadOnlyList<OpenRectification> OpenRectifications, int DemeritPoints, IReadOnlyList<string> Alerts)
{
    // A loop, not LINQ: the standing projection asks it for every change day of an institution's findings after each
    // inspection event, and the query's closures and iterators per day were a rebuild's garbage ("The twenty-fifth
    // stop" in docs/performance-log.md).
    public static int DemeritPointsOn(IReadOnlyList<Finding> findings, DateOnly day)
    {
        var since = day.AddYears(-1);
        var points = 0;
        for (var k = 0; k < findings.Count; k++)
            if (findings[k].FoundOn > since && findings[k].CountsOn(day)) points = checked(points + findings[k].PointsOn(day));
        return points;
    }

    public static Supervision Of(Guid institutionId, IEnumerable<Inspection> inspections, DateOnly day, int threshold = Jurisdictions.Jurisdiction.DefaultDemeritThreshold)
    {
        var touched = inspections.Where(i => i.OpenedOn <= day).OrderBy(i => i.OpenedOn).ToList();
        var findings = touched.SelectMany(i => i.Findings.Where(f => f.InstitutionId == institutionId).Select(f => (Inspection: i, Finding: f))).ToList();
        var open = findings.Where(x => x.Finding.NeedsRectificationOn(day))
            .Select(x => new OpenRectification(x.Inspection.Id, x.Finding.Id, Json.Wire(x.Inspection.DepartmentOf(x.Finding)), Json.Wire(x.Finding.Category), Json.Wire(x.Finding.Severity),
                x.Finding.RectificationDue!.Value, x.Finding.IsOverdueOn(day), x.Finding.AwaitsVerificationOn(day), x.Finding.RectificationOn(day)))
            .ToList();
        var points = DemeritPointsOn(findings.Select(x => x.Finding).ToList(), day);
        var alerts = new List<string>();
        if (points >= threshold) alerts.Add(Statistics.AlertTypes.DemeritThreshold);
        if (open.Any(o => o.Overdue)) alerts.Add(Statistics.AlertTypes.RectificationOverdue);
        if (open.Any(o => o.AwaitingVerification)) alerts.Add(Statistics.AlertTypes.VerificationPending);
        return new Supervision(
            touched.Select(i => new InspectionSummary(i.Id, Json.Wire(i.Kind), i.OpenedOn, i.ClosedOn is { } c && c <= day ? c : null, i.Departments.Select(Json.Wire).ToList())).ToList(),
            open, points, alerts);
    }

    // The inspections that touched an institution, as recorded by an instant (default: now).
    public static async Task<IReadOnlyList<Inspection>> LoadAsync(IQuerySession session, Guid institutionId, DateTimeOffset? recordedAsOf, CancellationToken ct)
    {
        var current = await session.Query<Inspection>().WhereSql(InspectionsConfiguration.OfInstitution(institutionId)).ToListAsync(ct);
        return await AsRecorded.AtAsync(session, current, i => i.Id, recordedAsOf, ct);
    }
}
