using CareRegistry.Localization;
using CareRegistry.Access;
using Wolverine.Attributes;
using CareRegistry.Common;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Inspections;

// A finding as it stood on the day: its department, the points it was recorded with and those in force, whether its
// rectification is overdue or awaits verification, and each dispute filed by then with its decision if decided.
public record FindingView(Guid Id, Guid InstitutionId, string Department, string Category, string Severity, int DemeritPoints, int OriginalPoints,
    string Description, DateOnly FoundOn, DateOnly? RectificationDue, string? Rectification, bool Overdue, bool AwaitingVerification, string Dispute,
    IReadOnlyList<DisputeView> Disputes, IReadOnlyList<RectificationStep> Steps)
{
    public static FindingView From(Inspection i, Finding f, DateOnly day) => new(f.Id, f.InstitutionId, Json.Wire(i.DepartmentOf(f)), Json.Wire(f.Category),
        Json.Wire(f.Severity), f.PointsOn(day), f.DemeritPoints, f.Description, f.FoundOn, f.RectificationDue, f.RectificationOn(day), f.IsOverdueOn(day),
        f.AwaitsVerificationOn(day), f.DisputeOn(day),
        f.DisputesOn(day).Select(d => new DisputeView(d.FiledOn, d.Grounds, d.Outcome is { } o ? Json.Wire(o) : null, d.DemeritPoints, d.Basis, d.DecidedOn)).ToList(),
        f.Rectification.Where(s => s.On <= day).ToList());
}

// Outcome, points, basis and decidedOn are null while the dispute is pending; points only for points-changed.
public record DisputeView(DateOnly FiledOn, string Grounds, string? Outcome, int? DemeritPoints, string? Basis, DateOnly? DecidedOn);

public record InspectionView(Guid Id, string Kind, IReadOnlyList<Guid> InstitutionIds, IReadOnlyList<string> Departments, IReadOnlyList<string> Inspectors,
    DateOnly OpenedOn, DateOnly? ClosedOn, string? Summary, string Status, IReadOnlyList<FindingView> Findings, long Version, DateOnly AsOf)
{
    public static InspectionView From(Inspection i, DateOnly day) => new(i.Id, Json.Wire(i.Kind), i.InstitutionIds, i.Departments.Select(Json.Wire).ToList(),
        i.Inspectors, i.OpenedOn, i.ClosedOn, i.Summary, i.ClosedOn is { } c && c <= day ? "closed" : "open",
        i.Findings.Where(f => f.FoundOn <= day).Select(f => FindingView.From(i, f, day)).ToList(), i.Version, day);
}

public static class GetInspectionEndpoint
{
    // The inspection as it stands: access is decided on it, and a read without recordedAsOf answers from it.
    public static Task<Inspection?> LoadAsync(Guid id, IQuerySession session, CancellationToken ct) => session.LoadAsync<Inspection>(id, ct);

    // Readers see an inspection when at least one inspected institution is inside their jurisdiction.
    [WolverineBefore]
    public static async Task<AccessSubject> Concerns(Inspection? inspection, IQuerySession session, CancellationToken ct) =>
        inspection is null ? AccessSubject.Nothing : (await InspectionAccess.ConcernsAsync(inspection, [], session, ct)) with { DecidedBy = [] };

    [WolverineGet("/api/inspections/{id}"), Tags("Inspections")]
    [ProducesResponseType<InspectionView>(200)]
    public static async Task<IResult> Get(Guid id, string? asOf, string? recordedAsOf, Inspection? current, IQuerySession session, TimeProvider clock,
        HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        var inspection = recorded is null
            ? current
            : await session.Events.AggregateStreamAsync<Inspection>(id, timestamp: recorded, token: ct);
        if (inspection is null) return Results.Problem(Problems.NotFound(L.T("no inspection {0}", id)));
        http.Response.Headers.ETag = Concurrency.ETag(inspection.Version);
        return Results.Json(InspectionView.From(inspection, day), Json.Options);
    }

}

public static class ListInspectionsEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(string? jurisdiction) => AccessSubject.ReadingIn(jurisdiction);

    // Filtered list: by institution, jurisdiction (prefix of any inspected institution's division), opening date range, status.
    [WolverineGet("/api/inspections"), Tags("Inspections")]
    [ProducesResponseType<Page<InspectionView>>(200)]
    public static async Task<IResult> List(string? institutionId, string? jurisdiction, string? from, string? to, string? status, string? asOf,
        string? recordedAsOf, string? cursor, string? limit, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        jurisdiction = AccessGate.ReadPrefix(http, jurisdiction);
        var v = new Validation().Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        Guid? institution = null;
        if (!string.IsNullOrEmpty(institutionId)) { if (Guid.TryParse(institutionId, out var g)) institution = g; else v.Add("institutionId", L.T("must be a UUID")); }
        var fromDay = ReadParameters.Date(v, "from", from);
        var toDay = ReadParameters.Date(v, "to", to);
        if (status is not (null or "" or "open" or "closed")) v.Add("status", L.T("must be open or closed"));
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        var take = ReadParameters.Limit(v, limit);
        var after = ReadParameters.IdCursor(v, cursor);
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        IQueryable<Inspection> query = session.Query<Inspection>();
        var prefix = Division.NormalizePrefix(jurisdiction);
        if (institution is { } i)
        {
            // One institution's inspections through the GIN index of the inspected institutions, found before they are
            // ordered; inside the prefix is then checked on those few, by the inspected institutions' primary keys. With
            // the condition itself beside "order by id limit", the planner walked every inspection in id order when the
            // index's sampled arrays held the institution, which it then expected in about 1 % of the rows (full 39's
            // data: 2 % of the institutions, 160-190 ms each against 0.4 ms; found first, p99 0.6 ms over 2,000).
            query = query.WhereSql($"d.id = any(array(select x.id from mt_doc_inspection x where {InspectionsConfiguration.OfInstitution(i, "x")}))");
            if (prefix.Length > 0)
                query = query.WhereSql(
                    $"exists (select 1 from mt_doc_institution i where i.id = any({MemberIndex.Of(InspectionsConfiguration.InstitutionMember)}::uuid[]) "
                    + "and i.jurisdiction >= ? and i.jurisdiction < ?)", prefix, Statistics.StandingSql.PrefixEnd(prefix));
        }
        else if (prefix.Length > 0)
        {
            // The inspections of the prefix's institutions from the standing facts (one per inspected institution, with
            // its jurisdiction: Statistics.Facts.Inspection), an index-only range. Loading the prefix's institution ids
            // and testing each inspection's array against them walked most inspections of the city for a district's page.
            // The facts follow the asynchronous standing projection: an inspection opened a moment ago joins the list
            // when the projection has applied it (docs/reads.md).
            var (facts, values) = InspectionFacts(prefix, fromDay, toDay, asOf is null ? null : day, after);
            object[] paged = [.. values, take + 1];
            query = status is null or ""
                // No filter on the document: the page's ids in order from the index, then only those documents.
                ? query.WhereSql($"d.id in (select subject from ({facts} group by subject order by subject limit ?) page)", paged)
                : query.WhereSql($"d.id in ({facts})", values);
        }
        if (fromDay is { } f) query = query.Where(x => x.OpenedOn >= f);
        if (toDay is { } t) query = query.Where(x => x.OpenedOn <= t);
        // As of a day: the inspections opened by then, open or closed as they were on it.
        if (asOf is not null) query = query.Where(x => x.OpenedOn <= day);
        if (status == "open") query = query.Where(x => x.ClosedOn == null || x.ClosedOn > day);
        if (status == "closed") query = query.Where(x => x.ClosedOn != null && x.ClosedOn <= day);
        if (after is { } c) query = query.WhereSql("d.id > ?", c);
        var rows = await query.OrderBy(x => x.Id).Take(take + 1).ToListAsync(ct);
        var next = rows.Count > take ? ReadParameters.EncodeCursor(rows[take - 1].Id.ToString()) : null;
        // As recorded by an instant, each inspection on the page is folded up to it (one short stream each).
        var page = await AsRecorded.AtAsync(session, rows.Take(take).ToList(), r => r.Id, recorded, ct);
        return Results.Json(new Page<InspectionView>(page.Select(r => InspectionView.From(r, day)).ToList(), next), Json.Options);
    }

    // The ids of the inspections that inspected an institution of the prefix (the standing facts believed now), opened
    // within the given days, after the cursor: positional '?' parameters, in order, with their values.
    private static (string Sql, object[] Values) InspectionFacts(string prefix, DateOnly? from, DateOnly? to, DateOnly? openedBy, Guid? after)
    {
        // A district is an institution's whole division code (6 digits), so its prefix is one value of the column: then the
        // (jurisdiction, subject) index gives the district's inspections in id order, and a page reads about 380 entries
        // (0.5 ms) instead of sorting all of them (Guandu at 50,000 institutions: 14,645 facts, 7-10 ms).
        var district = prefix.Length == 6;
        var sql = $"select subject from {Statistics.StandingSql.Table} where fact = '{Statistics.Facts.Inspection}' and recorded_to is null and "
                  + (district ? "jurisdiction = ?" : "jurisdiction >= ? and jurisdiction < ?");
        var values = district ? new List<object> { prefix } : [prefix, Statistics.StandingSql.PrefixEnd(prefix)];
        if (from is { } f) { sql += " and valid_from >= ?"; values.Add(f); }
        if (to is { } t) { sql += " and valid_from <= ?"; values.Add(t); }
        if (openedBy is { } d) { sql += " and valid_from <= ?"; values.Add(d); }
        if (after is { } a) { sql += " and subject > ?"; values.Add(a); }
        return (sql, [.. values]);
    }
}
