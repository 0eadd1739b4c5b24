using CareRegistry.Localization;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Attributes;
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

    // A filtered read stops after this many events of the log, so that an officer of a small district following from
    // the start does not hold one request for the whole log; the page (possibly empty) says where to go on.
    public const int MaxScannedPerRequest = 50_000;

    // Auditors and national callers read the whole log; an officer reads the events of their own jurisdiction
    // (AccessGate.ReadPrefix), and may ask for a prefix inside it.
    [WolverineBefore]
    public static AccessSubject Concerns(string? jurisdiction) => AccessSubject.ReadingIn(jurisdiction);

    [WolverineGet("/api/audit/events"), Tags("Audit")]
    [ProducesResponseType<FeedPage>(200)]
    public static async Task<IResult> Get(string? after, string? limit, string? jurisdiction, IQuerySession session, NpgsqlDataSource db, HttpContext http,
        TimeProvider clock, CancellationToken ct)
    {
        var ndjson = http.Request.Headers.Accept.Any(a => a?.Contains("application/x-ndjson", StringComparison.OrdinalIgnoreCase) == true);
        var v = new Validation();
        long from = 0;
        if (!string.IsNullOrEmpty(after) && (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out from)))
            v.Add("after", L.T("must be a sequence number (0 or more)"));
        var take = 50;
        if (!string.IsNullOrEmpty(limit))
        {
            var max = ndjson ? MaxNdjsonLimit : ReadParameters.MaxLimit;
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take < 1 || take > max)
                v.Add("limit", L.T("must be a whole number from 1 to {0}", max));
        }
        v.Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        var prefix = Division.NormalizePrefix(AccessGate.ReadPrefix(http, jurisdiction));

        var cursor = new Cursor { Last = from };
        var events = Read(session, db, cursor, take, prefix, clock.GetUtcNow() - GapSettles, ct);

        if (ndjson)
        {
            http.Response.ContentType = "application/x-ndjson";
            await foreach (var e in events)
            {
                await JsonSerializer.SerializeAsync(http.Response.Body, FeedEvent.From(e), Json.Options, ct);
                await http.Response.Body.WriteAsync("\n"u8.ToArray(), ct);
            }
            return Results.Empty;
        }

        var items = new List<FeedEvent>();
        await foreach (var e in events) items.Add(FeedEvent.From(e));
        // next is where a follower resumes, past any tombstones read; a page that read nothing (nothing more yet) has none.
        return Results.Json(new FeedPage(items, cursor.Last > from ? cursor.Last : null), Json.Options);
    }

    // How far a page has read, tombstones included.
    private sealed class Cursor
    {
        public long Last;
    }

    // Up to `take` registry events after the cursor, in sequence order, stopping before an unsettled gap. Tombstones
    // (AuditChain.IsTombstone) are read and passed over without being shown: their numbers are taken, so they are no
    // gap, and a page of nothing but tombstones still moves the cursor on. Read in batches, so tombstones do not
    // count against the limit and an NDJSON follower (which resumes from its last line) is never held by them.
    // With a prefix, only events whose place is inside it (EventPlace) are shown; the others are passed over like
    // tombstones, so the cursor still moves past them.
    private static async IAsyncEnumerable<IEvent> Read(IQuerySession session, NpgsqlDataSource db, Cursor cursor, int take, string prefix,
        DateTimeOffset settledBefore, [EnumeratorCancellation] CancellationToken ct)
    {
        if (prefix.Length > 0)
        {
            await foreach (var e in ReadWithin(session, db, cursor, take, prefix, settledBefore, ct)) yield return e;
            yield break;
        }
        var batch = Math.Max(take, 100);
        var shown = 0;
        while (true)
        {
            var rows = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > cursor.Last).OrderBy(e => e.Sequence)
                .Take(batch).ToListAsync(ct);
            foreach (var e in rows)
            {
                if (e.Sequence != cursor.Last + 1 && !await SettledAsync(AuditChain.IsTombstone(e), e.Timestamp, cursor.Last, session, db, settledBefore, ct)) yield break;
                cursor.Last = e.Sequence;
                if (AuditChain.IsTombstone(e)) continue;
                yield return e;
                if (++shown == take) yield break;
            }
            if (rows.Count < batch) yield break;
        }
    }

    // The events of a division prefix: the log is walked in SQL (sequence, time, tombstone, and whether the event may be
    // inside the prefix: EventPlace.MayBeWithinSql), and only the events that may be are read, placed and shown
    // (EventPlace.Within decides). The cursor moves past the others as past tombstones, with the same gap rule.
    private static async IAsyncEnumerable<IEvent> ReadWithin(IQuerySession session, NpgsqlDataSource db, Cursor cursor, int take, string prefix,
        DateTimeOffset settledBefore, [EnumeratorCancellation] CancellationToken ct)
    {
        // A dense prefix fills a page from the first events; a sparse one walks far, so the walk grows while it finds
        // little — up to a size PostgreSQL still plans without JIT compilation (which would cost more than the walk).
        var batch = Math.Max(take, 100);
        var shown = 0;
        var scanned = 0;
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        while (true)
        {
            var rows = new List<(long Sequence, DateTimeOffset Timestamp, bool Tombstone, bool MayBeWithin)>();
            await using (var command = db.CreateCommand(
                             $"select e.seq_id, e.timestamp, {AuditChain.IsTombstone("e")}, {EventPlace.MayBeWithinSql()} from {schema}.mt_events e "
                             + "where e.seq_id > @after order by e.seq_id limit @batch"))
            {
                command.Parameters.AddWithValue("after", cursor.Last);
                command.Parameters.AddWithValue("batch", batch);
                command.Parameters.AddWithValue("prefix", prefix);
                command.Parameters.AddWithValue("prefixEnd", Statistics.StandingSql.PrefixEnd(prefix));
                command.Parameters.AddWithValue("rules", EventPlace.RuleCodes(prefix));
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    rows.Add((reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetBoolean(2), reader.GetBoolean(3)));
            }
            var wanted = rows.Where(r => r is { Tombstone: false, MayBeWithin: true }).Select(r => r.Sequence).ToArray();
            var events = wanted.Length == 0
                ? []
                : await session.Events.QueryAllRawEvents().Where(e => wanted.Contains(e.Sequence)).ToListAsync(ct);
            var places = await EventPlace.OfAsync(session, events, ct);
            var bySequence = events.ToDictionary(e => e.Sequence);
            foreach (var row in rows)
            {
                if (row.Sequence != cursor.Last + 1 && !await SettledAsync(row.Tombstone, row.Timestamp, cursor.Last, session, db, settledBefore, ct)) yield break;
                cursor.Last = row.Sequence;
                if (!bySequence.TryGetValue(row.Sequence, out var e) || !places.GetValueOrDefault(e.Sequence, EventPlace.Nowhere).Within(prefix)) continue;
                yield return e;
                if (++shown == take) yield break;
            }
            scanned += rows.Count;
            if (rows.Count < batch || scanned >= MaxScannedPerRequest) yield break;
            batch = Math.Min(batch * 4, 1600);
        }
    }

    // A gap before an event is settled when the events after it are old enough. A tombstone carries no time, so
    // the first registry event after the gap speaks for it; with none yet, the gap may still be a transaction at work.
    private static async Task<bool> SettledAsync(bool tombstone, DateTimeOffset timestamp, long gapAfter, IQuerySession session, NpgsqlDataSource db,
        DateTimeOffset settledBefore, CancellationToken ct)
    {
        if (!tombstone) return timestamp <= settledBefore;
        await using var cmd = db.CreateCommand(
            $"select e.timestamp from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events e where e.seq_id > $1 and not {AuditChain.IsTombstone("e")} order by e.seq_id limit 1");
        cmd.Parameters.AddWithValue(gapAfter);
        return await cmd.ExecuteScalarAsync(ct) is DateTime recorded && new DateTimeOffset(recorded, TimeSpan.Zero) <= settledBefore;
    }
}
