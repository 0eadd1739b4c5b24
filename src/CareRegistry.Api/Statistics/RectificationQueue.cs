using CareRegistry.Common;
using CareRegistry.Inspections;
using Marten;
using Npgsql;

namespace CareRegistry.Statistics;

// One finding in a work queue: the finding as the inspection read shows it on the day, and where it was found.
public sealed record QueuedFinding(Guid InspectionId, string InstitutionName, FindingView Finding);

// The rectifications a department must follow in a division prefix: overdue and awaiting verification are the alerts
// of those types (the standing facts, AlertQueries), due soon is read from the findings in force by their deadline;
// only the inspections of the findings listed are loaded, and each list stops at `take`.
// Whether a finding is overdue, awaits verification or is rectified is the inspection's own (FindingView).
public static class RectificationQueue
{
    public static async Task<IReadOnlyList<QueuedFinding>> OfAlertsAsync(IQuerySession session, IEnumerable<AlertView> alerts, DateOnly day, CancellationToken ct)
    {
        var listed = alerts.Where(a => a is { InspectionId: not null, FindingId: not null }).ToList();
        var inspections = await LoadAsync(session, listed.Select(a => a.InspectionId!.Value), ct);
        return listed.Select(a => inspections.GetValueOrDefault(a.InspectionId!.Value) is { } i && i.Findings.FirstOrDefault(f => f.Id == a.FindingId) is { } f
                ? new QueuedFinding(i.Id, a.InstitutionName, FindingView.From(i, f, day))
                : null).OfType<QueuedFinding>().ToList();
    }

    // Findings in force in the prefix (of the department, when given) whose rectification falls due from `day` to
    // `until` and is neither reported nor accepted: the earliest due first.
    public static async Task<IReadOnlyList<QueuedFinding>> DueAsync(IQuerySession session, NpgsqlDataSource db, string prefix, DateOnly day, DateOnly until,
        string? department, int take, CancellationToken ct)
    {
        // The findings due in the window from their deadline's index (ix_standingfact_finding_due), then the inspection
        // of only those, from their JSON. Reading every finding in force in a city for its inspection's deadline took
        // 0.5–2 s for Kunming at 50,000 institutions. The window, the day and the division are written into the
        // statement: with them as parameters, the generic plan that a prepared statement falls back to walked every
        // finding of the city instead (74,000 index entries for none due, 60–150 ms of every work-queue page; 0.1 ms so).
        var sql = $"select (f.data ->> 'reference')::uuid, f.subject, f.institution_id from {StandingSql.Table} f where f.id in ("
                  + $"select id from {StandingSql.Table} where fact = '{Facts.Finding}' and {StandingSql.WithinLiteral("", prefix)} and {StandingSql.InForceLiteral(Facts.Finding, "", day)}"
                  + (department is null ? "" : " and department = @department")
                  + $" and due_on >= {StandingSql.DayLiteral(day)} and due_on <= {StandingSql.DayLiteral(until)} order by due_on, subject limit @take) order by f.due_on, f.subject";
        var found = new List<(Guid Inspection, Guid Finding, Guid Institution)>();
        await using (var command = db.CreateCommand(sql))
        {
            // Those already reported or accepted drop out below, so read a few more than shown.
            command.Parameters.AddWithValue("take", take * 2);
            if (department is not null) command.Parameters.AddWithValue("department", department);
            await using var row = await command.ExecuteReaderAsync(ct);
            while (await row.ReadAsync(ct)) found.Add((row.GetGuid(0), row.GetGuid(1), row.GetGuid(2)));
        }
        var inspections = await LoadAsync(session, found.Select(f => f.Inspection), ct);
        var names = await Institutions.InstitutionLabels.LoadAsync(session, found.Select(f => f.Institution), ct);
        return found.Select(x => inspections.GetValueOrDefault(x.Inspection) is { } i && i.Findings.FirstOrDefault(f => f.Id == x.Finding) is { } f
                ? new QueuedFinding(i.Id, names.GetValueOrDefault(x.Institution)?.Name ?? "", FindingView.From(i, f, day))
                : null)
            .OfType<QueuedFinding>()
            .Where(q => q.Finding is { Overdue: false, AwaitingVerification: false } && q.Finding.Rectification is not ("accepted" or "reported"))
            .Take(take).ToList();
    }

    private static async Task<Dictionary<Guid, Inspection>> LoadAsync(IQuerySession session, IEnumerable<Guid> ids, CancellationToken ct) =>
        (await session.LoadManyAsync<Inspection>(ct, ids.Distinct().ToArray())).ToDictionary(i => i.Id);
}
