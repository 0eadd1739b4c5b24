using CareRegistry.Localization;
using System.Security.Cryptography;
using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace CareRegistry.Audit;

public record AuditedEvent(FeedEvent Event, string? PrevHash, string? Hash);

public record Digest(long UpToSequence, long Events, string Algorithm, string Value);

public static class AuditStreamEndpoint
{
    // One stream's events exactly as stored, each with its metadata and its link in the hash chain.
    [WolverineGet("/api/audit/streams/{id}"), Tags("Audit")]
    [ProducesResponseType<IReadOnlyList<AuditedEvent>>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, NpgsqlDataSource dataSource, IDocumentStore store, CancellationToken ct)
    {
        // A stream of Marten's tombstones is no registry stream.
        var events = (await session.Events.FetchStreamAsync(id, token: ct)).Where(e => !AuditChain.IsTombstone(e)).ToList();
        if (events.Count == 0) return Results.Problem(Problems.NotFound(L.T("no stream {0}", id)));
        var chain = new Dictionary<long, (string? Prev, string Hash)>();
        await using (var cmd = dataSource.CreateCommand(
            $"select seq_id, {AuditChain.Hex("prev_hash")}, {AuditChain.Hex("hash")} from {store.Options.Events.DatabaseSchemaName}.{AuditChain.Table} where stream_id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                chain[reader.GetInt64(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2));
        }
        return Results.Json(events.Select(e => new AuditedEvent(FeedEvent.From(e),
            chain.TryGetValue(e.Sequence, out var link) ? link.Prev : null, chain.TryGetValue(e.Sequence, out var l2) ? l2.Hash : null)), Json.Options);
    }

    // A registry-wide digest an auditor can keep outside the database: SHA-256 over the chain hashes of every event
    // up to a sequence, in sequence order. Recomputed later for the same sequence, it must come out the same.
    [WolverineGet("/api/audit/digest"), Tags("Audit")]
    [ProducesResponseType<Digest>(200)]
    public static async Task<IResult> GetDigest(string? upTo, NpgsqlDataSource dataSource, IDocumentStore store, CancellationToken ct)
    {
        long? ceiling = null;
        if (!string.IsNullOrEmpty(upTo))
        {
            if (!long.TryParse(upTo, out var n) || n < 0)
                return Results.Problem(new Validation().Add("upTo", L.T("must be a sequence number (0 or more)")).ToProblem());
            ceiling = n;
        }
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var cmd = dataSource.CreateCommand(
            $"select seq_id, {AuditChain.Hex("hash")} from {schema}.{AuditChain.Table} where seq_id <= $1 order by seq_id");
        cmd.Parameters.AddWithValue(ceiling ?? long.MaxValue);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long count = 0, last = 0;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                last = reader.GetInt64(0);
                sha.AppendData(System.Text.Encoding.ASCII.GetBytes(reader.GetString(1) + "\n"));
                count++;
            }
        return Results.Json(new Digest(ceiling ?? last, count, "sha256 over each event's chain hash and a newline, in sequence order",
            Convert.ToHexStringLower(sha.GetHashAndReset())), Json.Options);
    }
}
