using CareRegistry.Common;
using CareRegistry.Spreadsheets;
using CareRegistry.Institutions;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using Marten;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace CareRegistry.Disclosure;

// One line of a public list of permit holders: only what the register publishes about an institution and the permit
// that puts it on the list. The tests read every field against this allow-list: no user, department official, note,
// finding or internal id beyond the institution's and the permit's own.
public record PublicInstitution(
    Guid Id, string Name, string? LatinName, string Uscc, string Kind, string? MedicalSubtype, int? Grade, string Ownership,
    string? Operator, string Jurisdiction, string Address, Beds Beds, int TotalBeds,
    Guid PermitId, string PermitType, string Regime, string? PermitNumber, DateOnly InForceSince, DateOnly? ExpiresOn);

// Institutions operating today that hold a permit of one type in force, read from the standing facts (the same rows
// and the same in-force rule as GET /api/institutions?permitType=…) and the Institution and Permit documents.
public static class PublicPermitHolders
{
    // The statuses in which a permit is in force, from the one rule that says so (PermitTypes.IsInForce).
    private static readonly string[] InForce = Enum.GetValues<PermitStatus>().Where(PermitTypes.IsInForce).Select(Json.Wire).ToArray();

    public static async Task<IResult> ListAsync(PermitType type, string? q, string? jurisdiction, string? cursor, string? limit, string? format,
        IQuerySession session, NpgsqlDataSource database, UnpreparedConnections unprepared, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var output = Tabular.Requested(http, v, format);
        if (q is not null) v.Require("q", q, 200);
        if (!string.IsNullOrEmpty(jurisdiction)) v.Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        var take = ReadParameters.Limit(v, limit);
        var after = ReadParameters.IdCursor(v, cursor);
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        var day = clock.Today();
        var prefix = Division.NormalizePrefix(jurisdiction);
        var label = Json.Wire(type);

        var query = SearchInstitutionsEndpoint.Matching(session.Query<Institution>(), q, prefix);
        query = SearchInstitutionsEndpoint.HavingFact(query, prefix, Facts.Registered, null, null, day, null);
        query = SearchInstitutionsEndpoint.HavingFact(query, prefix, Facts.Permit,
            $"f.label = ? and f.status in ({string.Join(", ", InForce.Select(_ => "?"))})", [label, .. InForce], day, null);
        if (after is { } a) query = query.WhereSql("d.id > ?", a);
        var ids = await SearchInstitutionsEndpoint.PageIdsAsync(query, q, take + 1, unprepared, ct);
        var shown = ids.Take(take).ToArray();
        var institutions = shown.Length == 0 ? [] : (await session.LoadManyAsync<Institution>(ct, shown)).OrderBy(x => x.Id).ToList();

        // The permit fact in force for each (its subject is the permit; it began the current run of its status).
        var (inForce, values) = StandingSql.InForce("", day, null);
        var facts = institutions.Count == 0 ? [] : await session.QueryAsync<StandingFact>(
            $"select {StandingSql.Body()} as data from {StandingSql.Table} where fact = ? and label = ? and {inForce} and institution_id = any(?) order by valid_from",
            ct, [Facts.Permit, label, .. values, institutions.Select(i => i.Id).ToArray()]);
        var held = facts.Where(f => f.Status is { } s && InForce.Contains(s) && f.Subject is not null)
            .GroupBy(f => f.InstitutionId).ToDictionary(g => g.Key, g => g.First());
        var permits = held.Count == 0 ? new Dictionary<Guid, Permit>()
            : (await session.LoadManyAsync<Permit>(ct, held.Values.Select(f => f.Subject!.Value).ToArray())).ToDictionary(p => p.Id);

        var items = institutions.Where(i => held.ContainsKey(i.Id) && permits.ContainsKey(held[i.Id].Subject!.Value)).Select(i =>
        {
            var fact = held[i.Id];
            var permit = permits[fact.Subject!.Value];
            return new PublicInstitution(i.Id, i.Name, i.LatinName, i.Uscc, Json.Wire(i.Kind), i.MedicalSubtype is { } m ? Json.Wire(m) : null, i.Grade,
                Json.Wire(i.Ownership), i.Operator, i.Jurisdiction, i.Address, i.Beds, i.Beds.Total,
                permit.Id, label, Json.Wire(permit.Regime), permit.Number, fact.ValidFrom, permit.PeriodOn(day)?.ExpiresOn);
        }).ToList();
        var next = ids.Count > take ? ReadParameters.EncodeCursor(ids[take - 1].ToString()) : null;
        return PublicAnswer.Answer(http, output, type == PermitType.ElderlyCare ? "care-institutions" : "insurance-designated", new Page<PublicInstitution>(items, next), Sheets.PublicInstitutions, await PublicAnswer.LastRecordedAsync(database, ct));
    }
}
