using CareRegistry.Access;
using CareRegistry.Localization;
using CareRegistry.Common;
using CareRegistry.Statistics;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Attributes;
using Wolverine.Http;

namespace CareRegistry.Institutions;

// One district on a map of a wider area: how many institutions it has (of the kind asked), how many of them are
// placed (exact or approximate), and the middle of those placed, where the map draws the district's count.
public sealed record MapArea(string Jurisdiction, int Institutions, int Placed, int Approximate, double? Lat, double? Lon);

// One placed institution on the map.
public sealed record MapInstitution(Guid Id, string Name, string Kind, string Jurisdiction, Coordinates Location, int TotalBeds);

// What a map of a division shows: its districts with their counts, and the placed institutions themselves when the
// area is one district or small enough (Listed). Unplaced: institutions without coordinates, counted only.
public sealed record InstitutionMap(string Jurisdiction, bool Listed, int Institutions, int Placed, int Unplaced,
    IReadOnlyList<MapArea> Areas, IReadOnlyList<MapInstitution> Items);

public static class InstitutionMapEndpoint
{
    // Up to this many institutions in the whole area are listed one by one; more, and a city or province shows its
    // districts' counts (a district is always listed). Kunming alone holds about 16,500: reading and drawing them all
    // took a second per page view.
    public const int ListedUpTo = 500;

    // The index that counts by district and kind without reading the documents, and the partial one over the placed
    // institutions only (few, where addresses are not yet surveyed), whose coordinates are read from their rows.
    public const string CountIndex = "ix_institution_jurisdiction_kind";
    public const string PlacedIndex = "ix_institution_placed";
    public const string Placed = "jsonb_typeof(data -> 'location') = 'object'";

    [WolverineBefore]
    public static AccessSubject Concerns(string? jurisdiction) => AccessSubject.ReadingIn(jurisdiction);

    [WolverineGet("/api/institutions/map"), Tags("Institutions")]
    [ProducesResponseType<InstitutionMap>(200)]
    public static async Task<IResult> Get(string? jurisdiction, string? kind, IQuerySession session, NpgsqlDataSource db, HttpContext http, CancellationToken ct)
    {
        jurisdiction = AccessGate.ReadPrefix(http, jurisdiction);
        var v = new Validation();
        v.Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        InstitutionKind? kindValue = null;
        if (!string.IsNullOrEmpty(kind))
        {
            if (Json.TryParse<InstitutionKind>(kind, out var k)) kindValue = k;
            else v.Add("kind", L.T("must be one of {0}", Json.WireValues<InstitutionKind>()));
        }
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        var prefix = Division.NormalizePrefix(jurisdiction);
        var table = $"{session.DocumentStore.Options.DatabaseSchemaName}.mt_doc_institution";
        // The kind column holds the enum's name (the document's own spelling).
        var where = StandingSql.Within("", prefix) + (kindValue is null ? "" : " and kind = @kind");
        NpgsqlCommand Command(string sql)
        {
            var command = db.CreateCommand(sql);
            if (prefix.Length > 0)
            {
                command.Parameters.AddWithValue("prefix", prefix);
                command.Parameters.AddWithValue("prefixEnd", StandingSql.PrefixEnd(prefix));
            }
            if (kindValue is { } kv) command.Parameters.AddWithValue("kind", kv.ToString());
            return command;
        }

        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using (var command = Command($"select jurisdiction, count(*)::int from {table} where {where} group by jurisdiction"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) counts[reader.GetString(0)] = reader.GetInt32(1);

        var placed = new Dictionary<string, (int Placed, int Approximate, double Lat, double Lon)>();
        await using (var command = Command($"""
            select jurisdiction, count(*)::int, count(*) filter (where (data -> 'location' ->> 'approximate')::boolean)::int,
                   avg((data -> 'location' ->> 'lat')::float8), avg((data -> 'location' ->> 'lon')::float8)
            from {table} where {where} and {Placed} group by jurisdiction
            """))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                placed[reader.GetString(0)] = (reader.GetInt32(1), reader.GetInt32(2), reader.GetDouble(3), reader.GetDouble(4));

        var areas = counts.Select(c => placed.TryGetValue(c.Key, out var p)
            ? new MapArea(c.Key, c.Value, p.Placed, p.Approximate, Math.Round(p.Lat, 6), Math.Round(p.Lon, 6))
            : new MapArea(c.Key, c.Value, 0, 0, null, null)).ToList();
        var total = areas.Sum(a => a.Institutions);
        var totalPlaced = areas.Sum(a => a.Placed);
        var listed = prefix.Length == 6 || total <= ListedUpTo;

        var items = new List<MapInstitution>();
        if (listed)
        {
            await using var command = Command($"""
                select id, data ->> 'name', kind, jurisdiction, (data -> 'location' ->> 'lat')::float8, (data -> 'location' ->> 'lon')::float8,
                       coalesce((data -> 'location' ->> 'approximate')::boolean, false), coalesce((data -> 'beds' ->> 'total')::int, 0)
                from {table} where {where} and {Placed} order by id
                """);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                items.Add(new MapInstitution(reader.GetGuid(0), reader.GetString(1), Json.Wire(Enum.Parse<InstitutionKind>(reader.GetString(2))), reader.GetString(3),
                    new Coordinates(reader.GetDouble(4), reader.GetDouble(5), reader.GetBoolean(6)), reader.GetInt32(7)));
        }
        return Results.Json(new InstitutionMap(jurisdiction ?? "00", listed, total, totalPlaced, total - totalPlaced, areas, items), Json.Options);
    }
}
