using CareRegistry.Localization;
using System.Globalization;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using Hl7.Fhir.Model;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Attributes;
using Wolverine.Http;

namespace CareRegistry.Fhir;

public static class SearchOrganizationsEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(string? jurisdiction) => AccessSubject.ReadingIn(jurisdiction);

    // FHIR search: name (any substring of the Chinese or Latin name, as name:contains), identifier ([system|]USCC),
    // jurisdiction (a custom parameter: a GB/T 2260 prefix, narrowed to the caller's like every list), _lastUpdated
    // (ge, gt, le, lt or a day; repeatable for a range), _count (1–500) and _cursor (from the next link). A searchset
    // Bundle ordered by registration.
    [WolverineGet("/fhir/Organization"), Tags("FHIR"), ExcludeFromDescription, ReadsQuery("_count", "_cursor", "_lastUpdated")]
    [Produces(FhirResponse.JsonType)]
    public static async Task<IResult> Search(string? name, string? identifier, string? jurisdiction, IQuerySession session,
        NpgsqlDataSource database, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        jurisdiction = AccessGate.ReadPrefix(http, jurisdiction);
        var v = new Validation();
        if (name is not null) v.Require("name", name, 200);
        v.Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        var take = ReadParameters.Limit(v, http.Request.Query["_count"].ToString());
        var after = ReadParameters.IdCursor(v, http.Request.Query["_cursor"].ToString());
        var updated = LastUpdated(v, http.Request.Query["_lastUpdated"]);
        if (!v.IsValid) return FhirResponse.Outcome(400, OperationOutcome.IssueType.Invalid, string.Join("; ", v.ToProblem().Errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}")));

        var prefix = Division.NormalizePrefix(jurisdiction);
        var query = SearchInstitutionsEndpoint.Matching(session.Query<Institution>(), null, prefix);
        if (!string.IsNullOrWhiteSpace(name))
        {
            var pattern = "%" + name.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.WhereSql("(d.data ->> 'name' ilike ? or d.data ->> 'latinName' ilike ?)", pattern, pattern);
        }
        if (!string.IsNullOrEmpty(identifier))
        {
            var (system, value) = identifier.Contains('|') ? (identifier[..identifier.IndexOf('|')], identifier[(identifier.IndexOf('|') + 1)..]) : (null, identifier);
            if (system is { Length: > 0 } && system != FhirUris.Uscc) value = "";
            query = query.WhereSql("d.uscc = ?", value.Trim().ToUpperInvariant());
        }
        foreach (var (op, at) in updated)
            query = query.WhereSql($"{FhirResponse.InstitutionLastUpdatedSql} {op} ?", at.ToUniversalTime());
        if (after is { } a) query = query.WhereSql("d.id > ?", a);
        var rows = await query.OrderBy(x => x.Id).Take(take + 1).ToListAsync(ct);
        var page = rows.Take(take).ToList();

        var ids = page.Select(i => i.Id).ToArray();
        var permits = (await session.Query<Permit>().WhereSql("d.institution_id = any(?)", ids).ToListAsync(ct)).ToLookup(p => p.InstitutionId);
        var lastUpdated = await FhirResponse.LastUpdatedAsync(database, "mt_doc_institution", FhirResponse.InstitutionLastUpdatedSql, ids, ct);
        var day = clock.Today();
        var baseUrl = FhirResponse.BaseUrl(http);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Meta = new Meta { LastUpdated = clock.GetUtcNow() } };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = $"{baseUrl}/Organization{http.Request.QueryString}" });
        if (rows.Count > take)
        {
            var next = QueryString.Create(http.Request.Query.Where(q => q.Key != "_cursor").SelectMany(q => q.Value.Select(x => KeyValuePair.Create(q.Key, x))))
                .Add("_cursor", ReadParameters.EncodeCursor(page[^1].Id.ToString()));
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = $"{baseUrl}/Organization{next}" });
        }
        foreach (var i in page)
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/Organization/{i.Id}",
                Resource = FhirMapping.Organization(i, permits[i.Id], day, lastUpdated[i.Id]),
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        return FhirResponse.Resource(bundle);
    }

    // _lastUpdated=ge2025-01-01 (or gt, le, lt, eq; a date or an instant); a bare date means that day (China time).
    private static List<(string Op, DateTimeOffset At)> LastUpdated(Validation v, Microsoft.Extensions.Primitives.StringValues values)
    {
        var conditions = new List<(string, DateTimeOffset)>();
        foreach (var raw in values)
        {
            if (string.IsNullOrEmpty(raw)) continue;
            var prefix = raw.Length > 2 && char.IsLetter(raw[0]) ? raw[..2] : "eq";
            var text = prefix == "eq" && !raw.StartsWith("eq", StringComparison.Ordinal) ? raw : raw[2..];
            var isDay = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d);
            DateTimeOffset at;
            if (isDay) at = new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), RegistryClock.Offset);
            else if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
            {
                v.Add("_lastUpdated", L.T("must be [ge|gt|le|lt|eq]YYYY-MM-DD or an instant"));
                continue;
            }
            var end = isDay ? at.AddDays(1) : at;
            switch (prefix)
            {
                case "ge": conditions.Add((">=", at)); break;
                case "gt": conditions.Add((">=", end)); break;
                case "le": conditions.Add(("<", end)); break;
                case "lt": conditions.Add(("<", at)); break;
                case "eq": conditions.Add((">=", at)); conditions.Add(("<", isDay ? end : at.AddTicks(10))); break;
                default: v.Add("_lastUpdated", L.T("prefix must be ge, gt, le, lt or eq")); break;
            }
        }
        return conditions;
    }
}
