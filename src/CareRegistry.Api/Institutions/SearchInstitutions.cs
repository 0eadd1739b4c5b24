using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Permits;
using CareRegistry.Spreadsheets;
using CareRegistry.Statistics;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Institutions;

public record InstitutionSummary(
    Guid Id, string Name, string? LatinName, string Uscc, string Kind, string? MedicalSubtype, int? Grade,
    string Ownership, string Jurisdiction, int TotalBeds, string Status, long Version, Coordinates? Location = null)
{
    public static InstitutionSummary From(Institution i, DateOnly day) => new(
        i.Id, i.Name, i.LatinName, i.Uscc, Json.Wire(i.Kind), i.MedicalSubtype is { } m ? Json.Wire(m) : null, i.GradeOn(day),
        Json.Wire(i.Ownership), i.Jurisdiction, i.Beds.Total, i.StatusOn(day), i.Version, i.Location);
}

public static class SearchInstitutionsEndpoint
{
    // Identity comes from the inline institution documents; the cross-department filters (integrated, permits,
    // partnerships, departments, demerit points) from the standing facts, in force on asOf as recorded by
    // recordedAsOf. Ids are UUIDv7, so ordering by id is registration order and the cursor (the last id seen) stays
    // stable while new institutions are registered.
    [WolverineBefore]
    public static AccessSubject Concerns(string? jurisdiction) => AccessSubject.ReadingIn(jurisdiction);

    [WolverineGet("/api/institutions"), Tags("Institutions")]
    [ProducesResponseType<Page<InstitutionSummary>>(200)]
    [Produces("application/json", "text/csv", Tabular.XlsxType)]
    public static async Task<IResult> Search(string? q, string? jurisdiction, string? kind, string? careInstitution, string? designation, string? service, string? integrated, string? permitType,
        string? permitStatus, string? hasPartnership, string? department, string? demeritAtLeast, string? careHomeGradeAtLeast, string? hospitalGrade,
        string? residentsAtLeast, string? doctorsAtLeast, string? nursesAtLeast, string? asOf, string? recordedAsOf,
        string? cursor, string? limit, string? format, IQuerySession session, UnpreparedConnections unprepared, TimeProvider clock, HttpContext http,
        CancellationToken ct)
    {
        jurisdiction = AccessGate.ReadPrefix(http, jurisdiction);
        var v = new Validation();
        var output = Tabular.Requested(http, v, format);
        if (q is not null) v.Require("q", q, 200);
        v.Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        var kindValue = Enum<InstitutionKind>(v, "kind", kind);
        var integratedValue = Flag(v, "integrated", integrated);
        var careValue = Flag(v, "careInstitution", careInstitution);
        var programme = Enum<Designations.Programme>(v, "designation", designation);
        var offered = Enum<CareService>(v, "service", service);
        var partnered = Flag(v, "hasPartnership", hasPartnership);
        var type = Enum<PermitType>(v, "permitType", permitType);
        var status = Enum<PermitStatus>(v, "permitStatus", permitStatus);
        if (status is not null && type is null) v.Add("permitStatus", L.T("needs permitType"));
        var departmentValue = Enum<Department>(v, "department", department);
        int? minimumPoints = null;
        if (!string.IsNullOrEmpty(demeritAtLeast))
        {
            if (int.TryParse(demeritAtLeast, System.Globalization.NumberStyles.None, null, out var n) && n is >= 1 and <= 1000) minimumPoints = n;
            else v.Add("demeritAtLeast", L.T("must be a whole number from 1 to 1000"));
        }
        var careGrade = Whole(v, "careHomeGradeAtLeast", careHomeGradeAtLeast, 1, 5);
        var (hospitalLevel, hospitalClass) = HospitalGrade(v, hospitalGrade);
        var residents = Whole(v, "residentsAtLeast", residentsAtLeast, 0, 100_000);
        var doctors = Whole(v, "doctorsAtLeast", doctorsAtLeast, 0, 100_000);
        var nurses = Whole(v, "nursesAtLeast", nursesAtLeast, 0, 100_000);
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        var take = ReadParameters.Limit(v, limit);
        var after = ReadParameters.IdCursor(v, cursor);
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        var prefix = Division.NormalizePrefix(jurisdiction);
        var query = Matching(session.Query<Institution>(), q, prefix);
        if (kindValue is { } kv) query = query.Where(x => x.Kind == kv);
        // As of a day, only institutions that existed then; as recorded by an instant, only those recorded by then.
        if (asOf is not null) query = query.Where(x => x.EstablishedOn <= day);
        // The filters below read the standing facts; a search without them reads its fragment's matches first (PageIdsAsync).
        var onTheInstitution = query;
        if (recorded is not null) query = HavingFact(query, prefix, Facts.Registered, null, null, DateOnly.MaxValue, recorded, evenIfEnded: true);

        // The monitoring table's 养老机构: not a medical institution, an elderly-care permit or filing in force.
        if (careValue is { } wantCare)
            query = HavingFact(query, prefix, Facts.CarePermit, "f.kind <> ?", [Json.Wire(InstitutionKind.Medical)], day, recorded, negate: !wantCare);
        if (offered is { } sv) query = HavingFact(query, prefix, Facts.Service, "f.label = ?", [Json.Wire(sv)], day, recorded);
        if (programme is { } pr) query = HavingFact(query, prefix, Facts.Designation, "f.label = ?", [Json.Wire(pr)], day, recorded);
        if (integratedValue is { } wantIntegrated) query = HavingFact(query, prefix, Facts.Integrated, null, null, day, recorded, negate: !wantIntegrated);
        if (partnered is { } wantPartner) query = HavingFact(query, prefix, Facts.Partnered, null, null, day, recorded, negate: !wantPartner);
        if (type is { } t)
            query = HavingFact(query, prefix, Facts.Permit, "f.label = ?" + (status is null ? "" : " and f.status = ?"),
                status is { } s ? [Json.Wire(t), Json.Wire(s)] : [Json.Wire(t)], day, recorded);
        if (departmentValue is { } d) query = HavingFact(query, prefix, Facts.Permit, "f.department = ?", [Json.Wire(d)], day, recorded);
        if (minimumPoints is { } points) query = HavingFact(query, prefix, Facts.Demerit, $"f.value >= {points}", null, day, recorded, valuesInSql: true);
        // Ratings, occupancy and staff as their standing facts on the day (Statistics/InstitutionStanding.cs).
        if (careGrade is { } g) query = HavingFact(query, prefix, Facts.Rating, "f.label = ? and f.value >= ?", [Json.Wire(RatingScheme.CareHomeGrade), g], day, recorded);
        if (hospitalLevel is { } hl)
            query = HavingFact(query, prefix, Facts.Rating, "f.label = ? and f.value = ?" + (hospitalClass is null ? "" : " and f.status = ?"),
                hospitalClass is { } hc ? [Json.Wire(RatingScheme.HospitalGrade), hl, Json.Wire(hc)] : [Json.Wire(RatingScheme.HospitalGrade), hl], day, recorded);
        if (residents is { } rs) query = HavingFact(query, prefix, Facts.Residents, "f.value >= ?", [rs], day, recorded);
        if (doctors is { } dr) query = HavingFact(query, prefix, Facts.Staff, "f.label = 'doctors' and f.value >= ?", [dr], day, recorded);
        if (nurses is { } nr) query = HavingFact(query, prefix, Facts.Staff, "f.label = 'nurses' and f.value >= ?", [nr], day, recorded);
        var onlyTheInstitution = ReferenceEquals(query, onTheInstitution);
        if (after is { } a) query = query.WhereSql("d.id > ?", a);

        // The page's ids first, then their documents: every filter but the text reads columns the (id, jurisdiction,
        // kind) index holds or the standing facts, so PostgreSQL walks that index in id order instead of reading each
        // institution's row until the page is full. Without a partnership in a city at 50,000 institutions that walk
        // passed 4,392 rows for 51 (16-38 ms; 5-7 ms from the index).
        var ids = await PageIdsAsync(query, q, take + 1, unprepared, ct, onlyTheInstitution);
        var shown = ids.Take(take).ToArray();
        var rows = shown.Length == 0 ? [] : await session.LoadManyAsync<Institution>(ct, shown);
        var items = rows.OrderBy(x => x.Id).Select(i => InstitutionSummary.From(i, day)).ToList();
        var next = ids.Count > take ? ReadParameters.EncodeCursor(ids[take - 1].ToString()) : null;
        return output == TableFormat.Json
            ? Results.Json(new Page<InstitutionSummary>(items, next), Json.Options)
            : Tabular.File(http, output, "institutions", items, Sheets.Institutions, next);
    }

    // How many of a name fragment's matches are read from the trigram index before the page is left to the planner.
    internal const int MatchesFirst = 1000;

    // The first `count` ids of a list built on Matching, in id order. With a name fragment, on connections that plan
    // each statement for its values (UnpreparedConnections): a fragment's best plan depends on the fragment. PostgreSQL
    // either takes the trigram index's matches and sorts them, or walks the primary key testing each row until the page
    // is full; it picks on an estimate of the matches that each ANALYZE draws again from the searchable text's
    // histogram, and near the crossing it walked thousands of rows for a fragment of a few hundred matches (益寿养老: 464
    // matches estimated at 845, 27-42 ms walked, 5-7 ms from the index; docs/performance-log.md, the twenty-sixth
    // stop). So when only the institution's own columns are filtered, up to MatchesFirst of the matches are first read
    // from the index, whatever the estimate: when they are all the matches, they are the page, sorted here. Only a
    // fragment with more matches is planned; a walk for it, its matches spread evenly, tests fewer than rows * count /
    // MatchesFirst rows. Not two characters: the planner estimates their pairs index from the pairs' own statistics,
    // not that histogram, and the bench's two-character words each match about 1,650 of 56,000 institutions, more than
    // MatchesFirst, so the first read only cost them time (their median 14 → 24 ms; docs/performance-log.md, the
    // twenty-seventh stop).
    internal static async Task<List<Guid>> PageIdsAsync(IQueryable<Institution> query, string? q, int count, UnpreparedConnections unprepared,
        CancellationToken ct, bool onlyTheInstitution = false, int matchesFirst = MatchesFirst)
    {
        var page = query.OrderBy(x => x.Id).Select(x => x.Id).Take(count);
        if (string.IsNullOrWhiteSpace(q)) return [.. await page.ToListAsync(ct)];
        if (onlyTheInstitution && InstitutionText.Trigrams(q))
        {
            var matches = await unprepared.MatchesAsync(query.Select(x => x.Id).Take(matchesFirst + 1), ct);
            // Guid's order is uuid's: the first four, two and two bytes as unsigned numbers, then byte by byte.
            if (matches.Count <= matchesFirst) return [.. matches.Order().Take(count)];
        }
        return await unprepared.IdsAsync(page, ct);
    }

    // The text (q: a substring of the name, Latin name or USCC) and place (a division prefix) filters every institution
    // list shares, /public included.
    internal static IQueryable<Institution> Matching(IQueryable<Institution> query, string? q, string prefix)
    {
        if (!string.IsNullOrWhiteSpace(q))
        {
            var (sql, values) = InstitutionText.Contains("d.", q);
            query = query.WhereSql(sql, values);
        }
        // The division written into the statement (digits, checked by StandingSql.WithinLiteral): as parameters, the generic
        // plan of a prepared statement guesses a division holds a handful of institutions and reads every one of them by
        // bitmap, then sorts (hasPartnership=false in Kunming at 50,000 institutions: 10,223 rows, 22 ms); seeing the
        // division, it walks the (id; jurisdiction, kind) index until the page is full (7 ms).
        if (prefix.Length > 0) query = query.WhereSql(StandingSql.WithinLiteral("d.", prefix));
        return query;
    }

    // Institutions with (or without) a standing fact of this kind in force on the day, as recorded by the instant. The
    // jurisdiction is repeated inside, so the (fact, jurisdiction, valid_from) index narrows the facts before the join.
    internal static IQueryable<Institution> HavingFact(IQueryable<Institution> query, string prefix, string fact, string? condition, object[]? values,
        DateOnly day, DateTimeOffset? recorded, bool negate = false, bool evenIfEnded = false, bool valuesInSql = false)
    {
        var (inForce, inForceValues) = evenIfEnded
            ? (recorded is null ? "true" : "f.recorded_from <= ?", recorded is { } r ? new object[] { r } : [])
            : StandingSql.InForce("f.", day, recorded);
        var (place, placeValues) = prefix.Length == 0 ? ("", Array.Empty<object>()) : (" and f.jurisdiction >= ? and f.jurisdiction < ?", new object[] { prefix, StandingSql.PrefixEnd(prefix) });
        // The facts believed now, with the day and the place written into the statement: a prepared statement's generic
        // plan cannot see how many of a city's facts are in force on the day (for demerit points, few of its ~90,000
        // intervals at 50,000 institutions), guesses a jurisdiction range holds 0.5 % of the rows and reads every
        // interval of the city (18-40 ms); seeing them it reads the facts over the threshold (8 ms). Safe as text: the
        // day is a date, the prefix digits (StandingSql.WithinLiteral checks), the caller's condition its own literal numbers.
        // Every negation too: the set it excludes is built per statement, and with the place as parameters the generic
        // plan read every institution of the city by bitmap and sorted them (hasPartnership=false, Kunming: 22 ms; 7 ms
        // seeing the place).
        if ((valuesInSql || negate) && recorded is null && !evenIfEnded)
        {
            inForce = StandingSql.InForceLiteral(fact, "f.", day);
            inForceValues = [];
            if (prefix.Length > 0) (place, placeValues) = ($" and {StandingSql.WithinLiteral("f.", prefix)}", []);
        }
        // Without the fact: "not in" a set of ids, which PostgreSQL answers with one hashed set whatever plan it caches
        // for a prepared statement. As "not exists" its generic plan guessed one matching fact and looped over the
        // facts for every institution (10 s instead of 70 ms at 50,000 institutions). institution_id is never null.
        // The kind of fact is a literal (one of Facts' constants), so that even the generic plan of a prepared
        // statement knows which facts it reads and may use the partial indexes of one kind (permits, demerit points).
        var facts = $"from {StandingSql.Table} f where f.fact = '{fact}'{place} and {inForce}" + (condition is null ? "" : $" and {condition}");
        var sql = negate ? $"d.id not in (select f.institution_id {facts})" : $"exists (select 1 {facts} and f.institution_id = d.id)";
        object[] parameters = [.. placeValues, .. inForceValues, .. values ?? []];
        return query.WhereSql(sql, parameters);
    }

    private static int? Whole(Validation v, string field, string? text, int min, int max)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, null, out var n) && n >= min && n <= max) return n;
        v.Add(field, L.T("must be a whole number from {0} to {1}", min, max));
        return null;
    }

    // 1, 2 or 3, optionally with its class: 3a is 三级甲等.
    private static (int? Level, HospitalClass? Class) HospitalGrade(Validation v, string? text)
    {
        if (string.IsNullOrEmpty(text)) return (null, null);
        if (text.Length is 1 or 2 && text[0] is >= '1' and <= '3' && (text.Length == 1 || text[1] is 'a' or 'b' or 'c'))
            return (text[0] - '0', text.Length == 2 ? (HospitalClass)(text[1] - 'a') : null);
        v.Add("hospitalGrade", L.T("must be a grade 1 to 3, optionally with its class a, b or c (3a is 三级甲等)"));
        return (null, null);
    }

    private static bool? Flag(Validation v, string field, string? text) => text switch
    {
        null or "" => null,
        "true" => true,
        "false" => false,
        _ => Invalid<bool>(v, field, L.T("must be true or false")),
    };

    private static TEnum? Enum<TEnum>(Validation v, string field, string? text) where TEnum : struct, Enum
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (Json.TryParse<TEnum>(text, out var value)) return value;
        return Invalid<TEnum>(v, field, L.T("must be one of {0}", Json.WireValues<TEnum>()));
    }

    private static T? Invalid<T>(Validation v, string field, Text message) where T : struct
    {
        v.Add(field, message);
        return null;
    }
}
