using System.Globalization;
using System.Text.Json;
using CareRegistry.Common;
using CareRegistry.Institutions;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Audit;

public record FeedEvent(
    long Sequence, Guid StreamId, long Version, string Type, DateOnly? EffectiveOn, DateTimeOffset RecordedAt, string? User,
    string? Department, string? Role, string? CorrelationId, string? CausationId, string? Source, System.Text.Json.Nodes.JsonNode? Data)
{
    public static FeedEvent From(IEvent e)
    {
        var h = HistoryEntry.From(e);
        return new(e.Sequence, e.StreamId, e.Version, h.Type, h.EffectiveOn, e.Timestamp, h.User, h.Department, h.Role,
            h.CorrelationId, h.CausationId, h.Source, h.Data);
    }
}

public record FeedPage(IReadOnlyList<FeedEvent> Items, long? Next);

public static class AuditFeedEndpoint
{
    public const int MaxNdjsonLimit = 10_000;

    // A sequence number can be taken by a transaction that commits after a later one. A follower that moved past
    // such a gap would miss the event for good, so a page ends before a gap until the events after it are old
    // enough that the gap can only be a rolled-back transaction.
    public static readonly TimeSpan GapSettles = TimeSpan.FromSeconds(5);

    [WolverineGet("/api/audit/events"), Tags("Audit")]
    [ProducesResponseType<FeedPage>(200)]
    public static async Task<IResult> Get(string? after, string? limit, IQuerySession session, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var ndjson = http.Request.Headers.Accept.Any(a => a?.Contains("application/x-ndjson", StringComparison.OrdinalIgnoreCase) == true);
        var v = new Validation();
        long from = 0;
        if (!string.IsNullOrEmpty(after) && (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out from)))
            v.Add("after", "must be a sequence number (0 or more)");
        var take = 50;
        if (!string.IsNullOrEmpty(limit))
        {
            var max = ndjson ? MaxNdjsonLimit : ReadParameters.MaxLimit;
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take < 1 || take > max)
                v.Add("limit", $"must be a whole number from 1 to {max}");
        }
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        var events = session.Events.QueryAllRawEvents().Where(e => e.Sequence > from).OrderBy(e => e.Sequence).Take(take).ToAsyncEnumerable(ct);
        var settledBefore = clock.GetUtcNow() - GapSettles;

        if (ndjson)
        {
            http.Response.ContentType = "application/x-ndjson";
            var last = from;
            await foreach (var e in Contiguous(events, from, settledBefore))
            {
                await JsonSerializer.SerializeAsync(http.Response.Body, FeedEvent.From(e), Json.Options, ct);
                await http.Response.Body.WriteAsync("\n"u8.ToArray(), ct);
                last = e.Sequence;
            }
            return Results.Empty;
        }

        var items = new List<FeedEvent>();
        await foreach (var e in Contiguous(events, from, settledBefore)) items.Add(FeedEvent.From(e));
        // next is where a follower resumes; an empty page (nothing more yet) has none.
        return Results.Json(new FeedPage(items, items.Count > 0 ? items[^1].Sequence : null), Json.Options);
    }

    private static async IAsyncEnumerable<IEvent> Contiguous(IAsyncEnumerable<IEvent> events, long after, DateTimeOffset settledBefore)
    {
        var expected = after + 1;
        await foreach (var e in events)
        {
            if (e.Sequence != expected && e.Timestamp > settledBefore) yield break;
            yield return e;
            expected = e.Sequence + 1;
        }
    }
}
