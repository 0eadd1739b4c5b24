using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Attributes;
using Wolverine.Http;

namespace CareRegistry.Audit;

// A fact recorded in error is never deleted: this event, appended to the same stream, retracts it. From the moment
// it is recorded, reads ignore the retracted entry; reads as recorded before it still show the entry; histories
// show both.
public record EntryRetracted(
    Guid StreamId, long RetractedVersion, string RetractedType, string RetractedSummary, string Reason, DateOnly EffectiveOn,
    IReadOnlyList<Guid> InstitutionIds) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => InstitutionIds;

    public string Describe() => $"retracted entry {RetractedVersion} ({RetractedType}: {RetractedSummary}): {Reason}";
}

public record RetractEntry(Guid? StreamId, long? Version, string? Reason)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Require("reason", Reason, 500);
        if (StreamId is null || StreamId == Guid.Empty) v.Add("streamId", L.T("is required"));
        if (Version is not >= 1) v.Add("version", L.T("must be a stream version, 1 or more"));
        return v.Answer();
    }
}

public static class Retractions
{
    // The versions a stream's corrections have retracted, among the events given.
    public static HashSet<long> RetractedIn(IEnumerable<IEvent> events) =>
        events.Select(e => e.Data).OfType<EntryRetracted>().Select(r => r.RetractedVersion).ToHashSet();

    // The events that still count: neither retracted nor a retraction.
    public static IEnumerable<IEvent> Standing(IReadOnlyList<IEvent> events)
    {
        var retracted = RetractedIn(events);
        return events.Where(e => e.Data is not EntryRetracted && !retracted.Contains(e.Version));
    }

    // An aggregate cannot undo one event, so a retraction folds the stream again from its start, up to and including
    // the retraction, leaving out what has been retracted. Only the events before it are read, so a rebuild or an
    // "as recorded" read gets the state of that moment.
    public static async ValueTask<T?> RefoldAsync<T>(IQuerySession session, Guid streamId, IEvent retraction,
        Func<T?, IEvent, T?> evolve, CancellationToken ct) where T : class
    {
        var earlier = await session.Events.FetchStreamAsync(streamId, version: retraction.Version - 1, token: ct);
        var events = earlier.Where(e => e.Version < retraction.Version).Append(retraction).ToList();
        T? state = null;
        foreach (var e in Standing(events)) state = evolve(state, e);
        return state;
    }

    public static async Task<IEvent?> FindAsync(IQuerySession session, Guid streamId, long version, CancellationToken ct) =>
        (await session.Events.FetchStreamAsync(streamId, version: version, token: ct)).FirstOrDefault(e => e.Version == version);

    public static string? RecordedByDepartment(IEvent e) =>
        e.Headers is not null && e.Headers.TryGetValue(RecordedBy.DepartmentHeader, out var d) ? d?.ToString() : null;

    // The institutions a retraction concerns: those of the entry itself, else those of the stream it belongs to.
    public static IReadOnlyList<Guid> InstitutionsOf(IEvent entry, IReadOnlyList<IEvent> stream) =>
        (entry.Data as IConcernsInstitutions)?.ConcernedInstitutions.Where(id => id != Guid.Empty).ToList() is { Count: > 0 } own
            ? own
            : stream.Select(e => e.Data).OfType<IConcernsInstitutions>().SelectMany(c => c.ConcernedInstitutions).Where(id => id != Guid.Empty).Distinct().ToList();
}

public static class RetractEntryEndpoint
{
    // The stream the correction names, as recorded.
    public static async Task<IReadOnlyList<IEvent>> LoadAsync(RetractEntry command, IDocumentSession session, CancellationToken ct) =>
        command.StreamId is { } id && id != Guid.Empty ? await session.Events.FetchStreamAsync(id, token: ct) : [];

    // Only the department that recorded the entry retracts it, inside the jurisdiction of an institution it concerns.
    // The entry is found by the typed command's version: what is checked is what will be retracted.
    [WolverineBefore]
    public static async Task<AccessSubject> Concerns(RetractEntry command, IReadOnlyList<IEvent> stream, IQuerySession session, CancellationToken ct)
    {
        if (stream.FirstOrDefault(e => e.Version == command.Version) is not { } entry) return AccessSubject.Nothing;
        var recorder = Json.TryParse<Department>(Retractions.RecordedByDepartment(entry), out var d) ? d : (Department?)null;
        var institutions = await session.LoadManyAsync<Institution>(ct, Retractions.InstitutionsOf(entry, stream).ToArray());
        return AccessSubject.Nothing.Decided(recorder).WithinAny(institutions, L.T("institution the entry concerns"));
    }

    public static ProblemDetails Validate(RetractEntry command) => command.Validate();

    [WolverinePost("/api/corrections"), Tags("Audit")]
    [ProducesResponseType<CommandAccepted>(200)]
    public static IResult Post(RetractEntry command, IReadOnlyList<IEvent> stream, IDocumentSession session, TimeProvider clock, HttpContext http)
    {
        var streamId = command.StreamId!.Value;
        var version = command.Version!.Value;
        if (stream.Count == 0) return Results.Problem(Problems.NotFound(L.T("no stream {0}", streamId)));
        if (stream.FirstOrDefault(e => e.Version == version) is not { } entry)
            return Results.Problem(Problems.NotFound(L.T("stream {0} has no entry {1} (it is at version {2})", streamId, version, stream[^1].Version)));

        var current = stream[^1].Version;
        var refusal = Concurrency.CheckIfMatch(http, current).Then(() => entry.Data switch
        {
            EntryRetracted => Problems.Conflict(L.T("entry {0} is itself a correction; record the fact again instead of retracting a correction", version)),
            InstitutionRegistered => Problems.Conflict(L.T("a registration is not retracted: correct the institution's details, or close it with the reason")),
            not IConcernsInstitutions => Problems.Conflict(L.T("entry {0} ({1}) is a jurisdiction rule; record the rule again with the right content instead", version, HistoryEntry.EventType(entry.EventType))),
            _ when Retractions.RetractedIn(stream).Contains(version) => Problems.Conflict(L.T("entry {0} of stream {1} is already retracted", version, streamId)),
            _ => WolverineContinue.NoProblems,
        });
        if (!ReferenceEquals(refusal, WolverineContinue.NoProblems)) return Results.Problem(refusal);

        var retraction = new EntryRetracted(streamId, version, HistoryEntry.EventType(entry.EventType),
            (entry.Data as IRegistryEvent)?.Describe() ?? HistoryEntry.EventType(entry.EventType), command.Reason!.Trim(), clock.Today(),
            Retractions.InstitutionsOf(entry, stream));
        // The expected version refuses a racing command on the same stream; the caller retries against the new state.
        session.Events.Append(streamId, current + 1, retraction);
        http.Response.Headers.ETag = Concurrency.ETag(current + 1);
        return Results.Json(new CommandAccepted(streamId, current + 1), Json.Options);
    }
}
