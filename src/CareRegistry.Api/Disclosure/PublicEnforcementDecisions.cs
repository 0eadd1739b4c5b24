using CareRegistry.Localization;
using System.Globalization;
using CareRegistry.Common;
using CareRegistry.Spreadsheets;
using CareRegistry.Institutions;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using Marten;
using Marten.Events;
using CareRegistry.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using NpgsqlTypes;
using Wolverine.Http;

namespace CareRegistry.Disclosure;

// One enforcement decision as published: what was decided against which institution, on what basis, when, by which
// department, and until when it stays public. The finding it answered, the officer and any note stay inside.
public record PublicEnforcementDecision(
    string Id, Guid InstitutionId, string InstitutionName, string Uscc, string Jurisdiction, string Action, string? PermitType,
    decimal? Amount, string Basis, DateOnly DecidedOn, DateOnly PublicUntil, string? Department);

public static class PublicEnforcementDecisionsEndpoint
{
    // Warnings and fines (the institution's stream) and enforcement suspensions and revocations (the permit's stream,
    // marked by their enforcement basis: a department's own suspension is not a penalty), read from the event table
    // under each institution the event concerns (as its history files them), so a retracted entry is left out from
    // the moment it is retracted. Newest first (by the global sequence, the cursor), for DisclosureYears from the decision.
    private static readonly Dictionary<Type, string> Actions = new()
    {
        [typeof(InstitutionWarned)] = Json.Wire(EnforcementAction.Warning),
        [typeof(InstitutionFined)] = Json.Wire(EnforcementAction.Fine),
        [typeof(PermitSuspended)] = Json.Wire(EnforcementAction.PermitSuspension),
        [typeof(PermitRevoked)] = Json.Wire(EnforcementAction.PermitRevocation),
    };

    [WolverineGet("/public/enforcement-decisions"), Tags("Public")]
    [ProducesResponseType<Page<PublicEnforcementDecision>>(200)]
    [Produces("application/json", "text/csv", Tabular.XlsxType)]
    public static async Task<IResult> List(string? q, string? jurisdiction, string? cursor, string? limit, string? format,
        IQuerySession session, NpgsqlDataSource database, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var output = Tabular.Requested(http, v, format);
        if (q is not null) v.Require("q", q, 200);
        if (!string.IsNullOrEmpty(jurisdiction)) v.Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        var take = ReadParameters.Limit(v, limit);
        long? before = null;
        if (ReadParameters.DecodeCursor(v, cursor) is { } position)
        {
            if (long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var s)) before = s;
            else v.Add("cursor", L.T("is not a cursor this registry issued"));
        }
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        var today = clock.Today();
        var prefix = Division.NormalizePrefix(jurisdiction);

        var events = (EventGraph)((StoreOptions)session.DocumentStore.Options).Events;
        var actions = Actions.ToDictionary(a => events.EventMappingFor(a.Key).EventTypeName, a => a.Value);
        var schema = events.DatabaseSchemaName;
        var sql = $"""
            select c.id, e.stream_id::text, e.version::text, e.seq_id, e.type, (e.data->>'effectiveOn')::date, e.headers->>'{RecordedBy.DepartmentHeader}',
                   e.data->>'amount', coalesce(e.data->>'basis', e.data->>'enforcementBasis'), e.data->>'permitId',
                   i.data->>'name', i.data->>'uscc', i.data->>'jurisdiction'
            from {schema}.mt_events e
            cross join lateral (select k::uuid as id from unnest({schema}.{ConcernedEvents.Function}(e.data)) k) c
            join mt_doc_institution i on i.id = c.id
            where e.type = any(@types)
              and (e.type = any(@institutionTypes) or coalesce(e.data->>'enforcementBasis', '') <> '')
              and not exists (select 1 from {schema}.mt_events r where r.stream_id = e.stream_id and r.type = @retracted
                              and (r.data->>'retractedVersion')::bigint = e.version)
              and (e.data->>'effectiveOn')::date > @since
              {(prefix.Length > 0 ? "and i.jurisdiction >= @prefix and i.jurisdiction < @prefixEnd" : "")}
              {(string.IsNullOrWhiteSpace(q) ? "" : $"and {InstitutionText.Searchable("i.")} ilike @pattern")}
              {(before is null ? "" : "and e.seq_id < @before")}
            order by e.seq_id desc
            limit @take
            """;
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue("types", actions.Keys.ToArray());
        command.Parameters.AddWithValue("institutionTypes", new[] { typeof(InstitutionWarned), typeof(InstitutionFined) }.Select(t => events.EventMappingFor(t).EventTypeName).ToArray());
        command.Parameters.AddWithValue("retracted", events.EventMappingFor(typeof(EntryRetracted)).EventTypeName);
        command.Parameters.AddWithValue("since", today.AddYears(-PublicAnswer.DisclosureYears));
        command.Parameters.AddWithValue("take", take + 1);
        if (prefix.Length > 0)
        {
            command.Parameters.AddWithValue("prefix", prefix);
            command.Parameters.AddWithValue("prefixEnd", StandingSql.PrefixEnd(prefix));
        }
        if (!string.IsNullOrWhiteSpace(q))
            command.Parameters.AddWithValue("pattern", "%" + q.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%");
        if (before is { } b) command.Parameters.AddWithValue("before", b);

        var rows = new List<(PublicEnforcementDecision Decision, long Sequence, Guid? PermitId)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var decidedOn = DateOnly.FromDateTime(reader.GetFieldValue<DateTime>(5));
                var permitId = reader.IsDBNull(9) ? (Guid?)null : Guid.Parse(reader.GetString(9));
                rows.Add((new PublicEnforcementDecision(
                    $"{reader.GetString(1)}/{reader.GetString(2)}", reader.GetGuid(0), reader.GetString(10), reader.GetString(11), reader.GetString(12),
                    actions[reader.GetString(4)], null, reader.IsDBNull(7) ? null : decimal.Parse(reader.GetString(7), CultureInfo.InvariantCulture),
                    reader.IsDBNull(8) ? "" : reader.GetString(8), decidedOn, decidedOn.AddYears(PublicAnswer.DisclosureYears),
                    reader.IsDBNull(6) ? null : reader.GetString(6)), reader.GetInt64(3), permitId));
            }

        var page = rows.Take(take).ToList();
        var permitIds = page.Where(r => r.PermitId is not null).Select(r => r.PermitId!.Value).Distinct().ToArray();
        var types = permitIds.Length == 0 ? new Dictionary<Guid, string>()
            : (await session.LoadManyAsync<Permit>(ct, permitIds)).ToDictionary(p => p.Id, p => Json.Wire(p.Type));
        var items = page.Select(r => r.PermitId is { } p ? r.Decision with { PermitType = types.GetValueOrDefault(p) } : r.Decision).ToList();
        var next = rows.Count > take ? ReadParameters.EncodeCursor(page[^1].Sequence.ToString(CultureInfo.InvariantCulture)) : null;
        return PublicAnswer.Answer(http, output, "enforcement-decisions", new Page<PublicEnforcementDecision>(items, next), Sheets.EnforcementDecisions, await PublicAnswer.LastRecordedAsync(database, ct));
    }
}
