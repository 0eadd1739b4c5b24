using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using System.Globalization;
using CareRegistry.Common;
using CareRegistry.Jurisdictions;
using CareRegistry.Spreadsheets;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace CareRegistry.Statistics;

// One line of the monitoring table (监测表). A share carries its numerator and denominator; a count can carry the
// institutions behind it (include=ids).
public record MonitoringFigure(string Key, string Title, decimal? Value, int? Numerator = null, int? Denominator = null,
    string? Note = null, IReadOnlyList<Guid>? InstitutionIds = null);

// FiguresAsOf: null when every figure was computed from the facts as projected; else the instant the oldest figures
// summed were computed (a table read under writes; see AreaSummaries).
public record MonitoringTable(string Jurisdiction, DateOnly AsOf, DateTimeOffset? RecordedAsOf, DateOnly SupervisionFrom,
    ElderlyPopulationRecorded? Population, IReadOnlyList<MonitoringFigure> Figures, DateTimeOffset? FiguresAsOf);

public static class MonitoringTableEndpoint
{
    // Each count is a set of institutions (or inspections, findings) defined by standing facts in force on the day.
    private sealed record Measure(string Key, string Title, string Aggregate, string Filter, bool HasIds = true);

    // An institution holds at most one row of each of these facts on a day (their intervals do not overlap), so
    // counting rows counts institutions without the sort a distinct count needs.
    private const string Institutions = "count(*) filter (where {0})";
    private const string Beds = "coalesce(sum(value) filter (where {0}), 0)";
    private const string Window = "valid_from > @windowStart";
    private const string Designated = "count(distinct institution_id) filter (where {0})";

    // 养老机构 (an elderly-care institution): any institution other than a medical one holding an elderly-care permit —
    // an approval or, since the 2018 reform, a filing — in force on the day, whatever it calls itself (Xishan counts
    // the homes filed with civil affairs; Yubei counts its street-level care centres among its 61). Medical
    // institutions with care beds are 医中有养 and counted apart. docs/monitoring.md defines every figure.
    private const string CareInstitution = "kind <> 'medical' and institution_id in (select institution_id from facts where fact = 'care-permit')";

    private static readonly Measure[] Measures =
    [
        new("elderly-care-institutions", "养老机构 elderly-care institutions (an elderly-care permit or filing in force)", Institutions, $"fact = 'care-permit' and kind <> 'medical'"),
        // 养老床位 counts every bed of a care institution, nursing beds included; treatment beds of a medical institution inside are medical beds.
        new("elderly-care-beds", "养老床位 beds of elderly-care institutions (nursing beds included)", Beds, $"fact = 'beds' and label <> 'medical' and {CareInstitution}", false),
        new("community-care-centres", "社区养老服务中心 community care centres", Institutions, "fact = 'registered' and kind = 'community-care-centre'"),
        new("community-care-stations", "社区养老服务站 community care stations", Institutions, "fact = 'registered' and kind = 'community-care-station'"),
        new("community-care-centres-and-stations", "社区居家养老服务中心（站） community care centres and stations", Institutions,
            "fact = 'registered' and kind in ('community-care-centre', 'community-care-station')"),
        new("day-care-centres", "社区老年人日间照料中心 day-care centres", Institutions, "fact = 'registered' and kind = 'day-care-centre'"),
        new("rural-mutual-aid-homes", "农村幸福院、互助养老点 rural mutual-aid homes", Institutions, "fact = 'registered' and kind = 'rural-mutual-aid-home'"),
        new("medical-institutions", "医疗机构 medical institutions", Institutions, "fact = 'registered' and kind = 'medical'"),
        new("medical-institutions-grade-3", "三级 level 3", Institutions, "fact = 'registered' and kind = 'medical' and value = 3"),
        new("medical-institutions-grade-2", "二级 level 2", Institutions, "fact = 'registered' and kind = 'medical' and value = 2"),
        new("medical-institutions-grade-1", "一级 level 1", Institutions, "fact = 'registered' and kind = 'medical' and value = 1"),
        new("medical-institutions-grade-3-class-a", "三级甲等 level 3, class 甲 (a hospital rating in force)", Institutions, "fact = 'rating' and label = 'hospital-grade' and value = 3 and status = 'a'"),
        new("medical-institutions-ungraded", "未定级 ungraded", Institutions, "fact = 'registered' and kind = 'medical' and value = 0"),
        new("medical-institutions-with-care-beds", "设置养老床位的医疗机构 medical institutions with elderly-care beds", Institutions, "fact = 'beds' and label = 'elderly-care' and kind = 'medical'"),
        new("medical-nursing-rehabilitation-beds", "医疗机构康复、护理床位 nursing and rehabilitation beds in medical institutions", Beds, "fact = 'beds' and label in ('nursing', 'rehabilitation') and kind = 'medical'", false),
        new("medical-institutions-with-care-partnership", "与养老机构建立协作关系的医疗机构 medical institutions with an active agreement with a care institution", Institutions,
            "fact = 'care-partnered' and kind = 'medical'"),
        new("medical-institutions-with-referral", "双向转诊 medical institutions with an active two-way referral agreement", Institutions, "fact = 'referral-partnered'"),
        new("integrated-institutions", "医养结合机构 integrated institutions", Institutions, "fact = 'integrated'"),
        new("integrated-care-with-medical", "养中有医 care institutions with an internal clinic or medical institution", Institutions, "fact = 'integrated' and label = 'care-with-medical'"),
        new("integrated-medical-with-care", "医中有养 medical institutions with care beds", Institutions, "fact = 'integrated' and label = 'medical-with-care'"),
        new("integrated-beds", "医养结合机构床位 beds of integrated institutions", Beds, "fact = 'beds' and institution_id in (select institution_id from facts where fact = 'integrated')", false),
        new("care-homes-with-internal-clinic", "内设医务室、护理站的养老机构 care institutions with a filed internal clinic or nursing station", Institutions,
            $"fact = 'internal-clinic' and {CareInstitution}"),
        new("care-homes-with-internal-medical-institution", "内设医疗机构的养老机构 care institutions holding a medical-practice licence (护理院, hospital branch)", Institutions,
            $"fact = 'medical-licence' and {CareInstitution}"),
        new("care-homes-with-partnership", "签约合作的养老机构 care institutions with an active medical partnership", Institutions, $"fact = 'partnered' and {CareInstitution}"),
        new("insurance-designated-internal-clinics", "纳入医保定点的内设医疗机构 internal clinics designated by medical insurance", Institutions,
            "fact = 'insurance-designated' and institution_id in (select institution_id from facts where fact = 'internal-clinic')"),
        // Programme designations of institutions in force on the day (a pilot permit is an integrated-care-pilot designation).
        new("designated-integrated-care-pilots", "医养结合试点单位 institutions designated integrated-care pilots", Designated, "fact = 'designation' and label = 'integrated-care-pilot'"),
        new("designated-integrated-care-demonstrations", "医养结合服务示范单位 institutions designated integrated-care demonstration units", Designated,
            "fact = 'designation' and label = 'integrated-care-demonstration'"),
        new("designated-remote-care-pilots", "医养结合远程协同服务试点机构 institutions designated remote-care pilots", Designated, "fact = 'designation' and label = 'remote-care-pilot'"),
        new("designated-smart-ageing-demonstrations", "智慧健康养老示范 institutions designated smart healthy-ageing demonstrations", Designated,
            "fact = 'designation' and label = 'smart-healthy-ageing-demonstration'"),
        // Care-home grades (养老机构等级评定) in force, among the care institutions.
        new("care-homes-rated", "评定等级的养老机构 care institutions with a grade in force", Institutions, $"fact = 'rating' and label = 'care-home-grade' and {CareInstitution}"),
        .. Enumerable.Range(1, 5).Select(level => new Measure($"care-homes-grade-{level}", $"{level}级养老机构 care institutions at grade {level}", Institutions,
            $"fact = 'rating' and label = 'care-home-grade' and value = {level} and {CareInstitution}")),
        // Residents as last reported, in care institutions; the share of their beds is the occupancy rate.
        new("residents", "入住老人 residents of elderly-care institutions", Beds, $"fact = 'residents' and {CareInstitution}", false),
        // Services offered on the day.
        .. Enum.GetValues<CareRegistry.Institutions.CareService>().Select(s => new Measure($"services-{Json.Wire(s)}", s switch
        {
            CareRegistry.Institutions.CareService.DayCare => "提供日间照料的机构 institutions offering day care",
            CareRegistry.Institutions.CareService.DementiaCare => "提供失智照护的机构 institutions offering dementia care",
            CareRegistry.Institutions.CareService.Hospice => "提供安宁疗护的机构 institutions offering hospice care",
            CareRegistry.Institutions.CareService.Rehabilitation => "提供康复服务的机构 institutions offering rehabilitation",
            CareRegistry.Institutions.CareService.HomeVisits => "提供上门巡诊的机构 institutions offering home visits",
            _ => "设置家庭病床的机构 institutions with home sickbeds",
        }, Institutions, $"fact = 'service' and label = '{Json.Wire(s)}'")),
        // Staff in force on the day, as reported (养老护理员 with how many certified).
        new("staff-doctors", "医生 doctors", Beds, "fact = 'staff' and label = 'doctors'", false),
        new("staff-nurses", "护士 nurses", Beds, "fact = 'staff' and label = 'nurses'", false),
        new("staff-care-workers", "养老护理员 care workers", Beds, "fact = 'staff' and label = 'care-workers'", false),
        new("staff-care-workers-certified", "取得职业资格的养老护理员 care workers with a vocational certificate", Beds, "fact = 'staff' and label = 'certified-care-workers'", false),
        new("pilots-understaffed", "未达2名医生、2名护士的医养结合试点 integrated-care pilots without 2 doctors and 2 nurses", Institutions, "fact = 'alert' and label = 'pilot-understaffed'"),
        new("inspections", "监督检查 inspections opened in the 12 months up to the date", "count(distinct subject) filter (where {0})", $"fact = 'inspection' and {Window}"),
        new("findings-critical", "严重问题 critical findings (12 months)", "count(*) filter (where {0})", $"fact = 'finding' and label = 'critical' and {Window}"),
        new("findings-major", "较重问题 major findings (12 months)", "count(*) filter (where {0})", $"fact = 'finding' and label = 'major' and {Window}"),
        new("findings-minor", "一般问题 minor findings (12 months)", "count(*) filter (where {0})", $"fact = 'finding' and label = 'minor' and {Window}"),
        // The same alert rows GET /alerts lists: the institutions' lateness, and the reports waiting for the departments.
        new("rectifications-overdue", "逾期未整改 overdue rectifications", "count(*) filter (where {0})", "fact = 'alert' and label = 'rectification-overdue'"),
        new("rectifications-awaiting-verification", "整改待核查 rectifications reported and awaiting verification", "count(*) filter (where {0})",
            "fact = 'alert' and label = 'verification-pending'"),
    ];

    private static readonly string[] TableFacts =
    [
        Facts.Registered, Facts.Beds, Facts.Integrated, Facts.CarePermit, Facts.MedicalLicence, Facts.CarePartnered, Facts.ReferralPartnered, Facts.Designation, Facts.Staff, Facts.Service, Facts.Rating, Facts.Residents, Facts.InternalClinic, Facts.Designated, Facts.Partnered, Facts.Inspection,
        Facts.Finding, Facts.Alert,
    ];

    // One query over the standing facts in force on the day (as recorded by the instant) inside the jurisdiction:
    // every figure is a filtered aggregate of the same rows.
    [WolverineBefore]
    public static AccessSubject Concerns(string? jurisdiction) => AccessSubject.ReadingIn(jurisdiction);

    [WolverineGet("/api/statistics/integrated-care"), Tags("Statistics")]
    [ProducesResponseType<MonitoringTable>(200)]
    [Produces("application/json", "text/csv", Tabular.XlsxType)]
    public static async Task<IResult> Get(string? jurisdiction, string? asOf, string? recordedAsOf, string? include, string? format,
        IQuerySession session, NpgsqlDataSource database, AreaFiguresRefresher areaFigures, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        jurisdiction = AccessGate.ReadPrefix(http, jurisdiction);
        var v = new Validation();
        var output = Tabular.Requested(http, v, format);
        if (string.IsNullOrEmpty(jurisdiction)) v.Add("jurisdiction", L.T("is required: 00 (nation) or a 2, 4 or 6-digit division code"));
        else v.Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        if (include is not (null or "" or "ids")) v.Add("include", L.T("must be ids"));
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        var withIds = include == "ids";
        var prefix = Division.NormalizePrefix(jurisdiction);

        // The figures believed now come from the districts' stored figures (AreaSummaries), as stale as the request
        // allows; the institutions behind them and "as recorded by an instant" are read from the facts themselves.
        var (values, figuresAsOf) = withIds || recorded is not null
            ? (await FromFactsAsync(database, prefix, day, recorded, withIds, ct), null)
            : await FromSummariesAsync(database, prefix, day, areaFigures.For(http.Request), ct);

        var population = await PopulationAsync(session, prefix, day, recorded, ct);
        var figures = new List<MonitoringFigure>
        {
            population is { Total: > 0 } whole
                ? new MonitoringFigure("elderly-share-percent", "60岁以上老年人占户籍人口比例 people aged 60+ as % of the registered population",
                    Math.Round(whole.Aged60 * 100m / whole.Total.Value, 2), whole.Aged60, whole.Total, $"population from {whole.Source}, {whole.EffectiveOn:yyyy-MM-dd}")
                : new MonitoringFigure("elderly-share-percent", "60岁以上老年人占户籍人口比例 people aged 60+ as % of the registered population",
                    null, population?.Aged60, null, "no total registered population recorded for this jurisdiction on the date"),
        };
        foreach (var m in Measures)
        {
            var (value, ids) = values[m.Key];
            figures.Add(new MonitoringFigure(m.Key, m.Title, value, InstitutionIds: ids));
            if (m.Key == "elderly-care-beds")
                figures.Add(population is { Aged60: > 0 } p
                    ? new MonitoringFigure("elderly-care-beds-per-1000-elders", "每千名老年人养老床位 elderly-care beds per 1,000 people aged 60+",
                        Math.Round(value * 1000m / p.Aged60, 1), (int)value, p.Aged60, $"population from {p.Source}, {p.EffectiveOn:yyyy-MM-dd}")
                    : new MonitoringFigure("elderly-care-beds-per-1000-elders", "每千名老年人养老床位 elderly-care beds per 1,000 people aged 60+",
                        null, (int)value, null, "no elderly population recorded for this jurisdiction on the date"));
            if (m.Key == "residents")
            {
                var beds = (int)values["elderly-care-beds"].Value;
                figures.Add(new MonitoringFigure("occupancy-percent", "入住率 residents as % of elderly-care beds", beds == 0 ? null : Math.Round(value * 100m / beds, 1), (int)value, beds));
            }
            if (m.Key is "care-homes-with-internal-clinic" or "care-homes-with-internal-medical-institution" or "care-homes-with-partnership")
            {
                var homes = (int)values["elderly-care-institutions"].Value;
                figures.Add(new MonitoringFigure(m.Key + "-percent", "% of elderly-care institutions",
                    homes == 0 ? null : Math.Round(value * 100m / homes, 1), (int)value, homes));
            }
        }

        figures.AddRange(await DesignatedJurisdictionsAsync(session, prefix, day, recorded, ct));
        var table = new MonitoringTable(prefix.Length == 0 ? "00" : prefix, day, recorded, day.AddYears(-1).AddDays(1), population, figures, figuresAsOf);
        return output == TableFormat.Json
            ? Results.Json(table, Json.Options)
            : Tabular.File(http, output, $"monitoring-{table.Jurisdiction}-{table.AsOf:yyyy-MM-dd}", table.Figures, Sheets.Monitoring(table));
    }

    // The reference: every figure aggregated from the facts in force on the day inside the prefix, in one query.
    public static async Task<Dictionary<string, (long Value, Guid[]? Ids)>> FromFactsAsync(NpgsqlDataSource database, string prefix, DateOnly day,
        DateTimeOffset? recorded, bool withIds, CancellationToken ct)
    {
        var columns = Measures.SelectMany(m => withIds && m.HasIds
            ? new[] { string.Format(CultureInfo.InvariantCulture, m.Aggregate, m.Filter), $"coalesce(array_agg(distinct institution_id) filter (where {m.Filter}), '{{}}')" }
            : [string.Format(CultureInfo.InvariantCulture, m.Aggregate, m.Filter)]);
        var sql = $"with facts as (select institution_id, kind, fact, label, status, value, valid_from, subject from {StandingSql.Table} "
                  + $"where fact = any(@facts) and {StandingSql.Within("", prefix)} and {StandingSql.InForceNamed("", recorded)}) select {string.Join(", ", columns)} from facts";

        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue("facts", TableFacts);
        command.Parameters.AddWithValue("day", day);
        command.Parameters.AddWithValue("windowStart", day.AddYears(-1));
        if (recorded is { } at) command.Parameters.AddWithValue("recorded", at);
        if (prefix.Length > 0)
        {
            command.Parameters.AddWithValue("prefix", prefix);
            command.Parameters.AddWithValue("prefixEnd", StandingSql.PrefixEnd(prefix));
        }
        var values = new Dictionary<string, (long Value, Guid[]? Ids)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var column = 0;
        foreach (var m in Measures)
        {
            var value = Convert.ToInt64(reader.GetValue(column++), CultureInfo.InvariantCulture);
            values[m.Key] = (value, withIds && m.HasIds ? reader.GetFieldValue<Guid[]>(column++) : null);
        }
        return values;
    }

    // The same figures believed now, summed over the stored figures of the districts inside the prefix; inspections,
    // which a joint inspection may share between districts, are counted once over the union of their ids.
    public static async Task<(Dictionary<string, (long Value, Guid[]? Ids)> Values, DateTimeOffset? FiguresAsOf)> FromSummariesAsync(NpgsqlDataSource database,
        string prefix, DateOnly day, Staleness staleness, CancellationToken ct)
    {
        var sums = await AreaSummaries.ReadAsync(database, prefix, day, staleness, ct);
        var values = new Dictionary<string, (long Value, Guid[]? Ids)>();
        for (var i = 0; i < Measures.Length; i++)
            values[Measures[i].Key] = (Measures[i].Key == InspectionsKey ? sums.Inspections : sums.Measures[i], null);
        return (values, sums.FiguresAsOf);
    }

    private const string InspectionsKey = "inspections";

    // What AreaSummaries stores per district and day: the same aggregates and facts, grouped by district (the
    // subqueries over `facts` stay exact per district because all of an institution's facts believed now carry its
    // one jurisdiction). Shape names them, so figures stored under other definitions are never summed.
    public static IReadOnlyList<string> MeasureColumns { get; } =
        Measures.Select(m => string.Format(CultureInfo.InvariantCulture, m.Aggregate, m.Filter)).ToArray();

    public static IReadOnlyList<string> MeasureFacts => TableFacts;

    public static string Shape { get; } = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
        System.Text.Encoding.UTF8.GetBytes(string.Join("\n", MeasureColumns.Concat(TableFacts).Append("area-figures-1")))))[..16];

    // Jurisdictions inside the prefix (itself included) designated to each programme on the day, with their codes:
    // Guizhou's three national pilot cities, Guandu's provincial pilot.
    private static async Task<IEnumerable<MonitoringFigure>> DesignatedJurisdictionsAsync(IQuerySession session, string prefix, DateOnly day,
        DateTimeOffset? recorded, CancellationToken ct)
    {
        var found = await session.Query<Jurisdiction>().Where(j => j.Code.StartsWith(prefix)).ToListAsync(ct);
        var levels = new List<Jurisdiction>();
        foreach (var j in found)
            if (recorded is null) levels.Add(j);
            else if (await session.Events.AggregateStreamAsync<Jurisdiction>(j.Id, timestamp: recorded, token: ct) is { } then) levels.Add(then);
        return Enum.GetValues<Designations.Programme>().Select(programme =>
        {
            var codes = levels.Where(j => (j.Designations ?? []).Any(d => d.Programme == programme && d.Designation.IsInForceOn(day)))
                .Select(j => j.Code).Order().ToList();
            return new MonitoringFigure($"designated-jurisdictions-{Json.Wire(programme)}", programme switch
            {
                Designations.Programme.IntegratedCarePilot => "医养结合试点地区 integrated-care pilot cities and districts",
                Designations.Programme.IntegratedCareDemonstration => "医养结合示范地区 integrated-care demonstration areas",
                Designations.Programme.RemoteCarePilot => "医养结合远程协同试点地区 remote-care pilot areas",
                _ => "智慧健康养老示范地区 smart healthy-ageing demonstration areas",
            }, codes.Count, Note: codes.Count == 0 ? null : string.Join(", ", codes));
        });
    }

    // The population recorded for exactly this jurisdiction (a district's figure does not stand for its city).
    private static async Task<ElderlyPopulationRecorded?> PopulationAsync(IQuerySession session, string prefix, DateOnly day, DateTimeOffset? recorded, CancellationToken ct)
    {
        var id = Jurisdiction.StreamIdFor(prefix.Length == 0 ? "00" : prefix);
        var jurisdiction = recorded is null
            ? await session.LoadAsync<Jurisdiction>(id, ct)
            : await session.Events.AggregateStreamAsync<Jurisdiction>(id, timestamp: recorded, token: ct);
        return jurisdiction?.PopulationOn(day);
    }
}
