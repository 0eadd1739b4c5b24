using CareRegistry.Common;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Institutions;

public record InstitutionSummary(
    Guid Id, string Name, string? LatinName, string Uscc, string Kind, string? MedicalSubtype, int? Grade,
    string Ownership, string Jurisdiction, int TotalBeds, string Status, long Version)
{
    public static InstitutionSummary From(Institution i, DateOnly today) => new(
        i.Id, i.Name, i.LatinName, i.Uscc, Json.Wire(i.Kind), i.MedicalSubtype is { } m ? Json.Wire(m) : null, i.Grade,
        Json.Wire(i.Ownership), i.Jurisdiction, i.Beds.Total, i.IsClosedOn(today) ? "closed" : "operating", i.Version);
}

public static class SearchInstitutionsEndpoint
{
    // Reads the inline institution documents. Ids are UUIDv7, so ordering by id is registration order and the
    // cursor (the last id seen) stays stable while new institutions are registered.
    [WolverineGet("/api/institutions"), Tags("Institutions")]
    [ProducesResponseType<Page<InstitutionSummary>>(200)]
    public static async Task<IResult> Search(string? q, string? jurisdiction, string? kind, string? cursor, string? limit,
        IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        if (q is not null) v.Require("q", q, 200);
        v.Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        InstitutionKind? kindValue = null;
        if (kind is not null)
        {
            if (Json.TryParse<InstitutionKind>(kind, out var k)) kindValue = k;
            else v.Add("kind", $"must be one of {Json.WireValues<InstitutionKind>()}");
        }
        var take = ReadParameters.Limit(v, limit);
        Guid? after = null;
        if (ReadParameters.DecodeCursor(v, cursor) is { } position)
        {
            if (Guid.TryParse(position, out var g)) after = g;
            else v.Add("cursor", "is not a cursor this registry issued");
        }
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        IQueryable<Institution> query = session.Query<Institution>();
        if (!string.IsNullOrWhiteSpace(q))
        {
            var text = q.Trim();
            var upper = text.ToUpperInvariant();
            query = query.Where(x => x.Name.Contains(text) || x.LatinName!.Contains(text, StringComparison.OrdinalIgnoreCase) || x.Uscc.StartsWith(upper));
        }
        var prefix = Division.NormalizePrefix(jurisdiction);
        if (prefix.Length > 0) query = query.Where(x => x.Jurisdiction.StartsWith(prefix));
        if (kindValue is { } kv) query = query.Where(x => x.Kind == kv);
        if (after is { } a) query = query.Where(x => x.MatchesSql("d.id > ?", a));

        var rows = await query.OrderBy(x => x.Id).Take(take + 1).ToListAsync(ct);
        var today = clock.Today();
        var items = rows.Take(take).Select(i => InstitutionSummary.From(i, today)).ToList();
        var next = rows.Count > take ? ReadParameters.EncodeCursor(rows[take - 1].Id.ToString()) : null;
        return Results.Json(new Page<InstitutionSummary>(items, next), Json.Options);
    }
}
