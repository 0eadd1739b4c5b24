using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Spreadsheets;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Statistics;

// What needs doing, by whom: the institution, the permit / finding / partnership concerned (the inspection of a
// finding), the date it fell due, since when the alert stands, and the department that must act.
public record AlertView(Guid Id, string Type, Guid InstitutionId, string InstitutionName, string Uscc, string Jurisdiction,
    Guid? PermitId, Guid? FindingId, Guid? InspectionId, DateOnly? DueOn, DateOnly Since, string Department, string Detail);

public static class AlertsEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(string? jurisdiction) => AccessSubject.ReadingIn(jurisdiction);

    [WolverineGet("/api/alerts"), Tags("Statistics")]
    [ProducesResponseType<Page<AlertView>>(200)]
    [Produces("application/json", "text/csv", Tabular.XlsxType)]
    public static async Task<IResult> List(string? jurisdiction, string? type, string? asOf, string? recordedAsOf, string? cursor, string? limit, string? format,
        IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        jurisdiction = AccessGate.ReadPrefix(http, jurisdiction);
        var v = new Validation().Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        var output = Tabular.Requested(http, v, format);
        if (type is not null && !AlertTypes.All.Contains(type)) v.Add("type", L.T("must be one of {0}", string.Join(", ", AlertTypes.All)));
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        var take = ReadParameters.Limit(v, limit);
        var after = ReadParameters.IdCursor(v, cursor);
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        var prefix = Division.NormalizePrefix(jurisdiction);

        // Six types are facts of their own; demerit-threshold compares the points in force with the threshold that the
        // nearest jurisdiction level sets on the day, so it is read from the demerit facts.
        var candidates = new List<StandingFact>();
        var full = new List<Guid>();
        if (type is null or not AlertTypes.DemeritThreshold)
        {
            var alerts = await Facts(session, Statistics.Facts.Alert, prefix, day, recorded, after, take + 1,
                type is null ? null : ("label = ?", type), ct);
            candidates.AddRange(alerts);
            if (alerts.Count > take) full.Add(alerts[^1].Id);
        }
        if (type is null or AlertTypes.DemeritThreshold)
        {
            var thresholds = await ThresholdsAsync(session, ct);
            var lowest = thresholds.SelectMany(l => l.Thresholds!).Select(t => t.Threshold).Append(Jurisdiction.DefaultDemeritThreshold).Min();
            var demerits = await Facts(session, Statistics.Facts.Demerit, prefix, day, recorded, after, take + 1, ("value >= ?", lowest), ct);
            var book = new RegimeBook(thresholds);
            candidates.AddRange(demerits.Where(d => d.Value >= book.DemeritThreshold(d.Jurisdiction, day).Threshold)
                .Select(d => { d.Label = AlertTypes.DemeritThreshold; d.Department = Json.Wire(Department.Health); return d; }));
            if (demerits.Count > take) full.Add(demerits[^1].Id);
        }

        // Two sources merged by id: stop where a source that had more could hold smaller ids than what comes next.
        var cutoff = full.Count == 0 ? (Guid?)null : full.Min();
        var page = candidates.Where(c => cutoff is null || c.Id.CompareTo(cutoff.Value) <= 0).OrderBy(c => c.Id).ToList();
        var more = page.Count > take || full.Count > 0;
        page = page.Take(take).ToList();

        var institutions = (await session.LoadManyAsync<Institution>(ct, page.Select(p => p.InstitutionId).Distinct().ToArray())).ToDictionary(i => i.Id);
        var items = page.Select(f => View(f, institutions.GetValueOrDefault(f.InstitutionId))).ToList();
        var next = more && page.Count > 0 ? ReadParameters.EncodeCursor(page[^1].Id.ToString()) : null;
        return output == TableFormat.Json
            ? Results.Json(new Page<AlertView>(items, next), Json.Options)
            : Tabular.File(http, output, "alerts", items, Sheets.Alerts, next);
    }

    private static async Task<IReadOnlyList<StandingFact>> Facts(IQuerySession session, string fact, string prefix, DateOnly day, DateTimeOffset? recorded,
        Guid? after, int take, (string Sql, object Value)? condition, CancellationToken ct)
    {
        var (inForce, values) = StandingSql.InForce("", day, recorded);
        var sql = $"select data from {StandingSql.Table} where fact = ? and {inForce}";
        var parameters = new List<object> { fact };
        parameters.AddRange(values);
        if (prefix.Length > 0) { sql += " and jurisdiction >= ? and jurisdiction < ?"; parameters.AddRange([prefix, StandingSql.PrefixEnd(prefix)]); }
        if (condition is { } c) { sql += " and " + c.Sql; parameters.Add(c.Value); }
        if (after is { } a) { sql += " and id > ?"; parameters.Add(a); }
        // Ordered by the id's text (the same order as the uuid's): ordered by the uuid itself, PostgreSQL walks the
        // primary key and filters a whole table to fill one page, instead of reading the few matching rows first.
        sql += " order by id::text limit ?";
        parameters.Add(take);
        return await session.QueryAsync<StandingFact>(sql, ct, [.. parameters]);
    }

    // The few jurisdictions that set a threshold of their own.
    private static async Task<IReadOnlyList<Jurisdiction>> ThresholdsAsync(IQuerySession session, CancellationToken ct) =>
        (await session.Query<Jurisdiction>().ToListAsync(ct)).Where(l => l.Thresholds is { Count: > 0 }).ToList();

    private static AlertView View(StandingFact f, Institution? institution)
    {
        var isFinding = f.Label is AlertTypes.RectificationOverdue or AlertTypes.VerificationPending;
        var isPermit = f.Label is AlertTypes.PermitExpiring or AlertTypes.PermitExpired or AlertTypes.FilingCorrectionOverdue;
        var detail = f.Label switch
        {
            AlertTypes.PermitExpiring => $"permit expires on {f.DueOn:yyyy-MM-dd}",
            AlertTypes.PermitExpired => $"permit expired on {f.DueOn:yyyy-MM-dd} and was not renewed",
            AlertTypes.FilingCorrectionOverdue => $"filing correction was due on {f.DueOn:yyyy-MM-dd}",
            AlertTypes.RectificationOverdue => $"rectification was due on {f.DueOn:yyyy-MM-dd} and none stands reported",
            AlertTypes.VerificationPending => $"rectification reported on {f.ValidFrom:yyyy-MM-dd} awaits verification (deadline {f.DueOn:yyyy-MM-dd})",
            AlertTypes.DemeritThreshold => $"{f.Value} demerit points in the 12 months up to the date",
            AlertTypes.CareHomeWithoutPartnership => "elderly-care institution without an active medical partnership",
            AlertTypes.IntegratedWithoutInsurance => "integrated institution without a medical-insurance designation in force",
            _ => f.Label ?? "",
        };
        return new AlertView(f.Id, f.Label!, f.InstitutionId, institution?.Name ?? "", institution?.Uscc ?? "", f.Jurisdiction,
            isPermit ? f.Subject : null, isFinding ? f.Subject : null, isFinding ? f.Reference : null,
            f.DueOn, f.ValidFrom, f.Department ?? "", detail);
    }
}
