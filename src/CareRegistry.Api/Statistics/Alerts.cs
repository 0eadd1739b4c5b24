using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Spreadsheets;
using Marten;
using Npgsql;
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
            var rule = await DemeritRule.ReadAsync(session, day, ct);
            // The lowest threshold and the division as literals (DemeritRule.Candidates): the plan then knows how few facts
            // reach it, even the generic plan of a prepared statement (with the division a parameter, that plan walked
            // every demerit fact of the division: 40–90 ms for Kunming at 50,000 institutions).
            var demerits = await Facts(session, Statistics.Facts.Demerit, "", day, recorded, after, take + 1, (DemeritRule.Candidates(prefix, rule.Lowest), null), ct);
            candidates.AddRange(demerits.Where(d => rule.Exceeds(d.Jurisdiction, d.Value)).Select(DemeritRule.AsAlert));
            if (demerits.Count > take) full.Add(demerits[^1].Id);
        }

        // Two sources merged by id: stop where a source that had more could hold smaller ids than what comes next.
        var cutoff = full.Count == 0 ? (Guid?)null : full.Min();
        var page = candidates.Where(c => cutoff is null || c.Id.CompareTo(cutoff.Value) <= 0).OrderBy(c => c.Id).ToList();
        var more = page.Count > take || full.Count > 0;
        page = page.Take(take).ToList();

        var institutions = await InstitutionLabels.LoadAsync(session, page.Select(p => p.InstitutionId), ct);
        var items = page.Select(f => View(f, institutions.GetValueOrDefault(f.InstitutionId))).ToList();
        var next = more && page.Count > 0 ? ReadParameters.EncodeCursor(page[^1].Id.ToString()) : null;
        return output == TableFormat.Json
            ? Results.Json(new Page<AlertView>(items, next), Json.Options)
            : Tabular.File(http, output, "alerts", items, Sheets.Alerts, next);
    }

    private static async Task<IReadOnlyList<StandingFact>> Facts(IQuerySession session, string fact, string prefix, DateOnly day, DateTimeOffset? recorded,
        Guid? after, int take, (string Sql, object? Value)? condition, CancellationToken ct)
    {
        // The kind of fact is a literal (one of Facts' constants), so even a generic plan of the prepared statement
        // knows which facts and which partial index it reads.
        var (inForce, values) = StandingSql.InForceOf(fact, "", day, recorded);
        var sql = $"select id from {StandingSql.Table} where fact = '{fact}' and {inForce}";
        var parameters = new List<object>();
        parameters.AddRange(values);
        if (prefix.Length > 0) { sql += " and jurisdiction >= ? and jurisdiction < ?"; parameters.AddRange([prefix, StandingSql.PrefixEnd(prefix)]); }
        if (condition is { } c) { sql += " and " + c.Sql; if (c.Value is not null) parameters.Add(c.Value); }
        if (after is { } a) { sql += " and id > ?"; parameters.Add(a); }
        // The page's ids first, from an index alone; then the JSON bodies of those rows only. Every alert believed
        // now: in id order through the current alerts' id index, stopping when the page is full. Otherwise the
        // matching rows are read first and sorted by the id's text (the same order as the uuid's): one type may be
        // rare, so a walk in id order could pass most alerts before filling the page (demerit facts come through
        // their period index, the few over the threshold on the day); as recorded by an instant no partial index applies, and
        // ordered by the uuid itself PostgreSQL would walk the primary key over the whole table.
        sql += (recorded is null && fact == Statistics.Facts.Alert && condition is null ? " order by id" : " order by id::text") + " limit ?";
        parameters.Add(take);
        return await session.QueryAsync<StandingFact>($"select {StandingSql.Body()} as data from {StandingSql.Table} where id in ({sql}) order by id", ct, [.. parameters]);
    }

    public static AlertView View(StandingFact f, InstitutionLabel? institution)
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

// The demerit-threshold alert: the points in force over the threshold that the nearest jurisdiction level sets on the
// day. Shared by the alerts list and the counts, so the rule is written once.
public sealed class DemeritRule(RegimeBook book, DateOnly day, int lowest)
{
    // No threshold anywhere is lower: facts below it need not be read.
    public int Lowest { get; } = lowest;

    public bool Exceeds(string jurisdiction, int points) => points >= book.DemeritThreshold(jurisdiction, day).Threshold;

    // The demerit facts that may reach a threshold in a division prefix, as SQL with literals only: the fact, the points
    // (a whole number) and the prefix (StandingSql.WithinLiteral) are written into the statement.
    public static string Candidates(string prefix, int lowest) =>
        $"fact = '{Facts.Demerit}' and value >= {lowest} and {StandingSql.WithinLiteral("", prefix)}";

    public static StandingFact AsAlert(StandingFact demerit)
    {
        demerit.Label = AlertTypes.DemeritThreshold;
        demerit.Department = Json.Wire(Department.Health);
        return demerit;
    }

    public static async Task<DemeritRule> ReadAsync(IQuerySession session, DateOnly day, CancellationToken ct)
    {
        // The few jurisdictions that set a threshold of their own.
        var levels = (await session.Query<Jurisdiction>().ToListAsync(ct)).Where(l => l.Thresholds is { Count: > 0 }).ToList();
        var lowest = levels.SelectMany(l => l.Thresholds!).Select(t => t.Threshold).Append(Jurisdiction.DefaultDemeritThreshold).Min();
        return new DemeritRule(new RegimeBook(levels), day, lowest);
    }
}

// The alerts in force as the console's overview and work queues show them: counted by type, and the first few of each
// type by due date, for one department (null: all) in a division prefix. The same facts and the same demerit rule as
// GET /api/alerts, read in SQL so a page reads only what it shows. Access is the caller's to decide before (the
// console asks the API's own gate, AccessGate).
public static class AlertQueries
{
    // Believed now: summed from the districts' stored figures (AreaSummaries), as stale as allowed, with when the
    // oldest stale figures were computed (null: none stale); as recorded by an instant: from the facts.
    public static async Task<(Dictionary<string, int> Counts, DateTimeOffset? FiguresAsOf)> CountByTypeAsync(IQuerySession session, NpgsqlDataSource db,
        string prefix, DateOnly day, DateTimeOffset? recorded, string? department, Staleness staleness, CancellationToken ct)
    {
        if (recorded is not null) return (await CountByTypeFromFactsAsync(session, db, prefix, day, recorded, department, ct), null);
        var sums = await AreaSummaries.ReadAsync(db, prefix, day, staleness, ct);
        var counts = sums.Alerts.Where(a => department is null || a.Department == department).GroupBy(a => a.Label)
            .Where(g => g.Sum(a => a.Count) > 0).ToDictionary(g => g.Key, g => g.Sum(a => a.Count));
        if (department is not null && department != Json.Wire(Department.Health)) return (counts, sums.FiguresAsOf);
        var rule = await DemeritRule.ReadAsync(session, day, ct);
        var over = sums.Demerits.Where(d => d.Demerits.Points >= rule.Lowest && rule.Exceeds(d.Jurisdiction, d.Demerits.Points)).Sum(d => d.Demerits.Count);
        if (over > 0) counts[AlertTypes.DemeritThreshold] = over;
        return (counts, sums.FiguresAsOf);
    }

    // The reference: the alert and demerit facts in force under the prefix, read and counted at once.
    public static async Task<Dictionary<string, int>> CountByTypeFromFactsAsync(IQuerySession session, NpgsqlDataSource db, string prefix, DateOnly day,
        DateTimeOffset? recorded, string? department, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await CountByTypeFromFactsAsync(session, connection, prefix, day, recorded, department, ct);
    }

    // The same on a connection the caller holds (the metrics sampler's, limited to one process).
    public static async Task<Dictionary<string, int>> CountByTypeFromFactsAsync(IQuerySession session, NpgsqlConnection db, string prefix, DateOnly day,
        DateTimeOffset? recorded, string? department, CancellationToken ct)
    {
        var counts = new Dictionary<string, int>();
        await using (var command = Command(db, CountAlertsSql(prefix, recorded, department), Facts.Alert, prefix, day, recorded, department))
        {
            if (recorded is null && department is null) command.Parameters.AddWithValue("departments", Enum.GetValues<Department>().Select(Json.Wire).ToArray());
            await using var row = await command.ExecuteReaderAsync(ct);
            while (await row.ReadAsync(ct))
                if (!row.IsDBNull(0)) counts[row.GetString(0)] = (int)row.GetInt64(1);
        }
        if (department is not null && department != Json.Wire(Department.Health)) return counts;

        // Believed now: the demerit intervals that hold the day, over the rule's lowest threshold, from their GiST index
        // (the nation at 50,000 institutions: 0.8 ms; the same rows read through the covering index took 77 ms on three
        // processes). The fact is written into the statement so that a cached generic plan still matches the partial index.
        var inForce = recorded is null
            ? $"fact = '{Facts.Demerit}' and {StandingSql.DemeritPeriod("")} @> @day and recorded_to is null"
            : $"fact = @fact and {StandingSql.InForceNamed("", recorded)}";
        var rule = await DemeritRule.ReadAsync(session, day, ct);
        var over = 0;
        await using (var command = Command(db, $"select jurisdiction, value from {StandingSql.Table} where {inForce} and value >= @lowest and "
                                               + $"{StandingSql.Within("", prefix)}", Facts.Demerit, prefix, day, recorded, null))
        {
            command.Parameters.AddWithValue("lowest", rule.Lowest);
            await using var row = await command.ExecuteReaderAsync(ct);
            while (await row.ReadAsync(ct))
                if (rule.Exceeds(row.GetString(0), row.GetInt32(1))) over++;
        }
        if (over > 0) counts[AlertTypes.DemeritThreshold] = over;
        return counts;
    }

    // Up to `take` alerts of each type, the earliest due first (demerit-threshold: the most points first).
    public static async Task<IReadOnlyList<AlertView>> FirstOfEachTypeAsync(IQuerySession session, string prefix, DateOnly day, string? department,
        int take, IReadOnlyCollection<string>? types, CancellationToken ct)
    {
        var facts = new List<StandingFact>();
        if (types is null || types.Any(t => t != AlertTypes.DemeritThreshold))
        {
            // The first of each type in force on the day, from two small partial indexes and not from every alert of the
            // division (Kunming at 50,000 institutions: 83,000 entries read for 13,400 in force, 36-50 ms; now 2-4 ms):
            // the open-ended alerts walked per type in due order until the page is full, and the few that end after the
            // day. Both read the filters from the index; then only the chosen rows' bodies, by "= any(array(...))" (as
            // "id in (...)" the planner hashed them against a scan of every fact). The day and the division are written
            // into the statement, so that even a cached generic plan sees how few rows they leave.
            var date = StandingSql.DayLiteral(day);
            var where = $"fact = '{Facts.Alert}' and recorded_to is null and valid_from <= {date} and {StandingSql.WithinLiteral("", prefix)}"
                        + (department is null ? "" : " and department = ?");
            var labels = (types ?? AlertTypes.All).Where(t => t != AlertTypes.DemeritThreshold).ToArray();
            object[] whereValues = department is null ? [] : [department];
            // In the order of the '?'s below: the open alerts' labels, filters and page; the ending alerts' filters and
            // labels; the page per type.
            object[] parameters = [labels, .. whereValues, take, .. whereValues, labels, take];
            var sql = $"select {StandingSql.Body()} as data from {StandingSql.Table} where id = any(array(select id from (select id, row_number() over "
                      + "(partition by label order by due_on, id) as n from ("
                      + $"select o.id, o.label, o.due_on from unnest(?::text[]) l(label) cross join lateral (select id, label, due_on from {StandingSql.Table} "
                      + $"where {where} and valid_to is null and label = l.label order by due_on, id limit ?) o "
                      + $"union all select id, label, due_on from {StandingSql.Table} where {where} and valid_to > {date} and label = any(?)"
                      + ") current) ranked where n <= ?)) order by label, due_on, id";
            facts.AddRange(await session.QueryAsync<StandingFact>(sql, ct, parameters));
        }
        if ((types is null || types.Contains(AlertTypes.DemeritThreshold)) && (department is null || department == Json.Wire(Department.Health)))
        {
            var rule = await DemeritRule.ReadAsync(session, day, ct);
            // Thresholds differ by jurisdiction, so the points are compared here; institutions over the lowest threshold are few.
            // The division and the threshold are literals, so that a cached generic plan reads the few facts over the
            // threshold, not every demerit fact of the division.
            var (demeritInForce, demeritValues) = StandingSql.InForceOf(Facts.Demerit, "", day, null);
            var demerits = await session.QueryAsync<StandingFact>(
                $"select {StandingSql.Body()} as data from {StandingSql.Table} where {DemeritRule.Candidates(prefix, rule.Lowest)} and {demeritInForce} order by value desc, id",
                ct, [.. demeritValues]);
            facts.AddRange(demerits.Where(d => rule.Exceeds(d.Jurisdiction, d.Value)).Take(take).Select(DemeritRule.AsAlert));
        }
        var institutions = await InstitutionLabels.LoadAsync(session, facts.Select(f => f.InstitutionId), ct);
        return facts.Select(f => AlertsEndpoint.View(f, institutions.GetValueOrDefault(f.InstitutionId))).ToList();
    }

    // Alerts in force on the day, counted by type. Believed now, they are read from their two partial indexes, not from
    // every alert believed now (most ended long ago: of 335,000 at 50,000 institutions, 82,700 are open-ended and 850
    // end after today): the open-ended ones, and those ending after the day by department, which that index leads with
    // (every alert names the department that must act; one without would be counted by the last branch). The nation
    // at 50,000 institutions: 100 ms on three processes before, 25 ms on one. The fact and the believed-now conditions
    // are written into the statement, so that a cached generic plan still matches the partial indexes.
    private static string CountAlertsSql(string prefix, DateTimeOffset? recorded, string? department)
    {
        var filters = $"fact = '{Facts.Alert}' and {StandingSql.Within("", prefix)}" + (department is null ? "" : " and department = @department");
        if (recorded is not null)
            return $"select label, count(*) from {StandingSql.Table} where {filters} and {StandingSql.InForceNamed("", recorded)} group by label";
        var believed = $"{filters} and recorded_to is null and valid_from <= @day";
        var ending = department is null
            ? $"select label from {StandingSql.Table} where {believed} and valid_to > @day and department = any(@departments) "
              + $"union all select label from {StandingSql.Table} where {believed} and valid_to > @day and department is null"
            : $"select label from {StandingSql.Table} where {believed} and valid_to > @day";
        return $"select label, count(*) from (select label from {StandingSql.Table} where {believed} and valid_to is null union all {ending}) alerts group by label";
    }

    private static NpgsqlCommand Command(NpgsqlConnection db, string sql, string fact, string prefix, DateOnly day, DateTimeOffset? recorded, string? department)
    {
        var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("fact", fact);
        command.Parameters.AddWithValue("day", day);
        if (recorded is { } at) command.Parameters.AddWithValue("recorded", at);
        if (prefix.Length > 0)
        {
            command.Parameters.AddWithValue("prefix", prefix);
            command.Parameters.AddWithValue("prefixEnd", StandingSql.PrefixEnd(prefix));
        }
        if (department is not null) command.Parameters.AddWithValue("department", department);
        return command;
    }
}
