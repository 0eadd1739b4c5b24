using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Audit;
using CareRegistry.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Institutions;

public record HistoryEntry(
    Guid StreamId, long Version, long Sequence, string Type, DateOnly? EffectiveOn, DateTimeOffset RecordedAt,
    string? Department, string? User, string? Role, string? CorrelationId, string? CausationId, string? Source,
    string Summary, JsonNode? Data, RetractionMark? RetractedBy = null)
{
    // Data is kept as it reads on the wire (camelCase fields, kebab-case enums).
    public static HistoryEntry From(IEvent e) => new(
        e.StreamId, e.Version, e.Sequence, EventType(e.EventType), (e.Data as IRegistryEvent)?.EffectiveOn, Microseconds(e.Timestamp),
        Header(e, RecordedBy.DepartmentHeader), e.UserName, Header(e, RecordedBy.RoleHeader), e.CorrelationId, e.CausationId,
        Header(e, RecordedBy.SourceHeader), (e.Data as IRegistryEvent)?.Describe() ?? EventType(e.EventType),
        JsonSerializer.SerializeToNode(e.Data, e.EventType, Json.Options));

    // PostgreSQL keeps microseconds; an event not yet read back from it may carry a finer instant.
    private static DateTimeOffset Microseconds(DateTimeOffset t) => new(t.Ticks - t.Ticks % 10, t.Offset);

    public static string EventType(Type type) => JsonNamingPolicy.KebabCaseLower.ConvertName(type.Name);

    private static string? Header(IEvent e, string key) =>
        e.Headers is not null && e.Headers.TryGetValue(key, out var value) ? value?.ToString() : null;
}

// On a retracted entry: which correction retracted it, when, by whom and why. The entry itself stays as recorded.
public record RetractionMark(long Version, DateTimeOffset RecordedAt, string? Department, string? User, string Reason);

public static class InstitutionHistoryEndpoint
{
    public static Task<Institution?> LoadAsync(Guid id, IQuerySession session, CancellationToken ct) => session.LoadAsync<Institution>(id, ct);

    [WolverineBefore]
    public static AccessSubject Concerns(Institution? institution) => AccessSubject.Institution(institution);

    // The institution's own stream and its permits' streams, merged; with includePredecessors=true
    // the predecessors' come first (oldest legal entity first), so regulatory history continues across re-registration.
    // With recordedAsOf, what the registry had recorded by then: later entries, and later retractions, are left out.
    [WolverineGet("/api/institutions/{id}/history"), Tags("Institutions")]
    [ProducesResponseType<Page<HistoryEntry>>(200)]
    public static async Task<IResult> History(Guid id, string? includePredecessors, string? order, string? recordedAsOf, string? cursor, string? limit,
        Institution? institution, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var withPredecessors = includePredecessors == "true";
        if (includePredecessors is not (null or "" or "true" or "false")) v.Add("includePredecessors", L.T("must be true or false"));
        // Effective order is the institution's timeline, a late entry in its place; recorded order is the audit trail.
        var byRecording = order == "recorded";
        if (order is not (null or "" or "effective" or "recorded")) v.Add("order", L.T("must be effective or recorded"));
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        var take = ReadParameters.Limit(v, limit);
        var after = ReadParameters.DecodeCursor(v, cursor);
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        if (institution is null) return Results.Problem(Problems.NotFound(L.T("no institution {0}", id)));

        var chain = new List<Guid> { id };
        var seen = new HashSet<Guid> { id };
        var caller = Caller.Of(http);
        for (var predecessor = institution.PredecessorId; withPredecessors && predecessor is { } p && seen.Add(p);)
        {
            // The history continues only into predecessors the caller may read.
            if (await session.LoadAsync<Institution>(p, ct) is not { } earlier || !(caller.ReadsEverywhere || caller.Covers(earlier.Jurisdiction))) break;
            chain.Insert(0, p);
            predecessor = earlier.PredecessorId;
        }

        // One query for every institution of the chain; each one's timeline is cut from it.
        var events = await ConcernedEvents.ForAsync(session, chain, ct);
        var entries = chain.SelectMany(institutionId =>
        {
            var own = ConcernedEvents.Timeline(events, institutionId).Select(e => AsRecordedBy(e, recorded)).OfType<HistoryEntry>();
            return byRecording ? own.OrderBy(e => e.Sequence) : own.OrderBy(e => e.EffectiveOn).ThenBy(e => e.Sequence);
        }).ToList();
        if (recorded is { } at && !entries.Any(e => e.StreamId == id))
            return Results.Problem(Problems.NotFound(L.T("no institution {0} recorded by {1:O}", id, at)));

        var start = after is null ? 0 : entries.FindIndex(e => $"{e.StreamId}:{e.Version}" == after) + 1;
        if (after is not null && start == 0)
            return Results.Problem(new Validation().Add("cursor", L.T("is not a cursor of this history")).ToProblem());
        var page = entries.Skip(start).Take(take).ToList();
        var next = start + take < entries.Count ? ReadParameters.EncodeCursor($"{page[^1].StreamId}:{page[^1].Version}") : null;
        return Results.Json(new Page<HistoryEntry>(page, next), Json.Options);
    }

    // An entry as the registry held it at an instant: absent if recorded later, not yet marked by a later retraction.
    private static HistoryEntry? AsRecordedBy(HistoryEntry entry, DateTimeOffset? at) => at switch
    {
        null => entry,
        { } t when entry.RecordedAt > t => null,
        { } t when entry.RetractedBy is { } r && r.RecordedAt > t => entry with { RetractedBy = null },
        _ => entry,
    };
}
