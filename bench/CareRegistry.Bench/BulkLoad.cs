using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace CareRegistry.Bench;

// Loads an export-format file (GET /api/audit/export) into an empty registry the way the service's `import`
// command does — same columns, events through the hash-chain trigger, streams upserted — but 2,000 events per
// statement instead of one, one transaction per batch. The `import` command inserts row by row and then rebuilds
// (measured: about 600 events/s here), which would take most of an hour for a million events. The read models are
// then built by the service's own projection rebuild, which the benchmark times.
public static class BulkLoad
{
    public static async Task<JsonObject> RunAsync(string db, string path, TextWriter log)
    {
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        await using (var check = new NpgsqlCommand("select exists (select 1 from mt_events)", conn))
            if ((bool)(await check.ExecuteScalarAsync())!) throw new InvalidOperationException("the registry already holds events; the bulk load needs an empty one");

        var sw = Stopwatch.StartNew();
        long count = 0;
        var batch = new List<JsonObject>(2000);
        using var reader = new StreamReader(path);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0) continue;
            batch.Add(JsonNode.Parse(line)!.AsObject());
            if (batch.Count == 2000) { count += await FlushAsync(conn, batch); batch.Clear(); }
            if (count % 100_000 == 0 && count > 0 && batch.Count == 0) await log.WriteLineAsync($"bulk load: {count} events, {count / sw.Elapsed.TotalSeconds:0} events/s");
        }
        count += await FlushAsync(conn, batch);
        var seconds = sw.Elapsed.TotalSeconds;
        await log.WriteLineAsync($"bulk load: {count} events in {seconds:0.0} s = {count / seconds:0} events/s");
        return new JsonObject { ["events"] = count, ["seconds"] = Stats.R(seconds), ["eventsPerSecond"] = Stats.R(count / seconds, 0), ["via"] = "harness bulk insert through the chain trigger (2,000 events per statement)" };
    }

    private static async Task<long> FlushAsync(NpgsqlConnection conn, List<JsonObject> events)
    {
        if (events.Count == 0) return 0;
        await using var tx = await conn.BeginTransactionAsync();
        var streams = events.GroupBy(e => e["streamId"]!.GetValue<Guid>()).Select(g => (Id: g.Key, Last: g.MaxBy(e => e["version"]!.GetValue<long>())!, First: g.First())).ToList();
        await using (var s = new NpgsqlCommand("""
            insert into mt_streams (id, type, version, timestamp, created, tenant_id)
            select * from unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[], $6::text[])
            on conflict (id) do update set version = excluded.version, timestamp = excluded.timestamp
            """, conn, tx))
        {
            s.Parameters.AddWithValue(streams.Select(x => x.Id).ToArray());
            s.Parameters.AddWithValue(streams.Select(x => x.Last["streamType"]?.GetValue<string>()).ToArray());
            s.Parameters.AddWithValue(streams.Select(x => x.Last["version"]!.GetValue<long>()).ToArray());
            s.Parameters.Add(new NpgsqlParameter { Value = streams.Select(x => Utc(x.Last)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            s.Parameters.Add(new NpgsqlParameter { Value = streams.Select(x => Utc(x.First)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            s.Parameters.AddWithValue(streams.Select(x => x.Last["tenantId"]!.GetValue<string>()).ToArray());
            await s.ExecuteNonQueryAsync();
        }
        await using (var e = new NpgsqlCommand("""
            insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id, causation_id, is_archived)
            select nextval('mt_events_sequence'), u.id, u.stream_id, u.version, u.data, u.type, u.ts, u.tenant_id, u.dotnet_type, u.headers, u.user_name, u.correlation_id, u.causation_id, false
            from unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::jsonb[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::text[], $12::text[])
                 with ordinality as u(id, stream_id, version, data, type, ts, tenant_id, dotnet_type, headers, user_name, correlation_id, causation_id, n)
            order by u.n
            """, conn, tx))
        {
            string? S(JsonObject o, string k) => o[k]?.GetValue<string>();
            e.Parameters.AddWithValue(events.Select(x => x["id"]!.GetValue<Guid>()).ToArray());
            e.Parameters.AddWithValue(events.Select(x => x["streamId"]!.GetValue<Guid>()).ToArray());
            e.Parameters.AddWithValue(events.Select(x => x["version"]!.GetValue<long>()).ToArray());
            e.Parameters.Add(new NpgsqlParameter { Value = events.Select(x => x["data"]?.ToJsonString() ?? "{}").ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
            e.Parameters.AddWithValue(events.Select(x => S(x, "type")!).ToArray());
            e.Parameters.Add(new NpgsqlParameter { Value = events.Select(Utc).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            e.Parameters.AddWithValue(events.Select(x => S(x, "tenantId")!).ToArray());
            e.Parameters.AddWithValue(events.Select(x => S(x, "dotnetType")).ToArray());
            e.Parameters.Add(new NpgsqlParameter { Value = events.Select(x => x["headers"]?.ToJsonString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
            e.Parameters.AddWithValue(events.Select(x => S(x, "userName")).ToArray());
            e.Parameters.AddWithValue(events.Select(x => S(x, "correlationId")).ToArray());
            e.Parameters.AddWithValue(events.Select(x => S(x, "causationId")).ToArray());
            await e.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return events.Count;
    }

    private static DateTime Utc(JsonObject e) => DateTime.SpecifyKind(e["timestamp"]!.GetValue<DateTime>().ToUniversalTime(), DateTimeKind.Utc);
}
