using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CareRegistry.Tests.Audit;

// Marten writes a `tombstone` event for each sequence number a failed transaction had reserved. They are not
// registry events: verify counts them apart, no read shows them, and tampering next to them is still found.
public class TombstoneTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private async Task Sql(string sql)
    {
        await using var cmd = Db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<T> Scalar<T>(string sql)
    {
        await using var cmd = Db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private Task<long> TombstoneCount() => Scalar<long>("select count(*) from mt_events where type = 'tombstone'");

    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(20); waited += TimeSpan.FromMilliseconds(50))
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"waited 20 s for {what}");
    }

    private async Task<JsonObject> Verify()
    {
        var report = (await Client.Get("/api/audit/verify")).ShouldBe(HttpStatusCode.OK);
        return report.Body!.AsObject();
    }

    private async Task<string[]> Ndjson(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Accept", "application/x-ndjson");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    // Neither the JSON pages nor NDJSON show a tombstone or an event dated 0001-01-01.
    private async Task<List<JsonNode>> WholeFeed()
    {
        var page = (await Client.Get("/api/audit/events?after=0&limit=500")).ShouldBe(HttpStatusCode.OK);
        var items = page["items"].AsArray().Select(e => e!).ToList();
        var lines = await Ndjson("/api/audit/events?after=0&limit=10000");
        Assert.Equal(items.Count, lines.Length);
        foreach (var e in items.Concat(lines.Select(l => JsonNode.Parse(l)!)))
        {
            Assert.NotEqual("tombstone", e["type"]!.GetValue<string>());
            Assert.False(e["recordedAt"]!.GetValue<DateTimeOffset>().Year < 2000, $"an event dated {e["recordedAt"]}");
        }
        return items;
    }

    // Loses a registration race at the unique index rather than at the USCC check: another transaction holds the
    // USCC, uncommitted, while the command checks, and commits while the command waits to write it. The command's
    // transaction fails, and Marten tombstones the sequence number it had reserved.
    private async Task<(Answer Refused, RegisterInstitution Command)> LoseAtTheUniqueIndex()
    {
        var holderCommand = Scenario.CareHome("占位养老院");
        var holder = await Client.Register(holderCommand);
        var command = Scenario.CareHome("迟到养老院");
        var tombstonesBefore = await TombstoneCount();

        Task<Answer> post;
        await using (var connection = await Db.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using (var take = new NpgsqlCommand("update mt_doc_institution set uscc = $1 where id = $2", connection, tx))
            {
                take.Parameters.AddWithValue(command.Uscc!);
                take.Parameters.AddWithValue(holder);
                Assert.Equal(1, await take.ExecuteNonQueryAsync());
            }
            post = Client.Post("/api/institutions", command);
            await WaitUntil(async () => await Scalar<long>("""
                select count(*) from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock' and query ilike '%institution%'
                """) > 0, "the command to wait on the unique index");
            await tx.CommitAsync();
        }
        var refused = await post;
        await Sql($"update mt_doc_institution set uscc = '{holderCommand.Uscc}' where id = '{holder}'");
        await WaitUntil(async () => await TombstoneCount() > tombstonesBefore, "Marten's tombstones");
        return (refused, command);
    }

    [Fact]
    public async Task Eight_parallel_registrations_of_one_USCC_give_one_201_and_seven_409_problems_and_the_log_verifies()
    {
        var command = Scenario.CareHome("并发养老院");
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Client.Post("/api/institutions", command))));

        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        foreach (var refused in answers.Where(a => a.Status != HttpStatusCode.Created))
            refused.ShouldBeProblem(HttpStatusCode.Conflict);

        var report = await Verify();
        Assert.Equal("ok", report["status"]!.GetValue<string>());
        Assert.Equal(1, report["eventsChecked"]!.GetValue<long>());
        Assert.Equal(await TombstoneCount(), report["tombstones"]!.GetValue<long>());
        Assert.Single(await WholeFeed());
    }

    [Fact]
    public async Task A_race_lost_at_the_unique_index_is_a_409_whose_tombstones_verify_counts_and_no_read_shows()
    {
        var logged = Fixture.Logs.Entries.Count;
        var (refused, command) = await LoseAtTheUniqueIndex();
        Assert.Contains("USCC", refused.ShouldBeProblem(HttpStatusCode.Conflict)["detail"].GetValue<string>());
        // Marten's own failure log would carry the whole event; nothing of it reaches the log.
        Assert.DoesNotContain(Fixture.Logs.Entries.Skip(logged), e => e.Text.Contains(command.Uscc!) || e.Text.Contains(command.Name!));
        Assert.DoesNotContain(Fixture.Logs.Entries.Skip(logged), e => e.Level >= LogLevel.Error);

        var tombstones = await TombstoneCount();
        var report = await Verify();
        Assert.Equal("ok", report["status"]!.GetValue<string>());
        Assert.Equal(1, report["eventsChecked"]!.GetValue<long>());
        Assert.Equal(1, report["streamsChecked"]!.GetValue<long>());
        Assert.Equal(tombstones, report["tombstones"]!.GetValue<long>());

        // A page that reads nothing but tombstones still moves the follower on.
        var first = await Scalar<long>("select min(seq_id) from mt_events");
        var lastTombstone = await Scalar<long>("select max(seq_id) from mt_events where type = 'tombstone'");
        var page = (await Client.Get($"/api/audit/events?after={first}")).ShouldBe(HttpStatusCode.OK);
        Assert.Empty(page["items"].AsArray());
        Assert.Equal(lastTombstone, page["next"].GetValue<long>());

        var later = await Client.Register(Scenario.CareHome("后来养老院"));
        var feed = await WholeFeed();
        Assert.Equal(2, feed.Count);
        page = (await Client.Get($"/api/audit/events?after={first}&limit=1")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(later, Assert.Single(page["items"].AsArray())!["streamId"]!.GetValue<Guid>());

        var tombstoneStream = await Scalar<Guid>("select stream_id from mt_events where type = 'tombstone' limit 1");
        (await Client.Get($"/api/audit/streams/{tombstoneStream}")).ShouldBeProblem(HttpStatusCode.NotFound);
        var export = await Client.GetStringAsync("/api/audit/export");
        Assert.Equal(2, export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("tombstone", export);
        Assert.Equal("ok", (await Client.Get("/api/audit/replay"))["status"].GetValue<string>());
    }

    [Fact]
    public async Task Tampering_next_to_tombstones_is_still_found()
    {
        await LoseAtTheUniqueIndex();
        var a = await Client.Register(Scenario.CareHome("甲养老院"));
        await Client.Post($"/api/institutions/{a}/beds", new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 200), null));
        var b = await Client.Register(Scenario.CareHome("乙养老院"));
        await Client.Post($"/api/institutions/{b}/beds", new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 200), null));
        await Client.Post($"/api/institutions/{b}/closure", new CloseInstitution(new DateOnly(2024, 1, 1), "停业"));
        var tombstoneStream = await Scalar<Guid>("select stream_id from mt_events where type = 'tombstone' limit 1");

        // Tombstones chained before the trigger left them out still verify against their links.
        await Sql("""
            insert into careregistry_audit_chain (seq_id, stream_id, version, prev_hash, hash)
            select seq_id, stream_id, version, null, decode(careregistry_event_hash(null, stream_id, version, type, data, headers,
                   user_name, correlation_id, causation_id, timestamp), 'hex')
            from mt_events where type = 'tombstone'
            """);
        Assert.Equal("ok", (await Verify())["status"]!.GetValue<string>());

        // A's last event rewritten into a tombstone; a tombstone slipped into B; B's second event deleted.
        var rewritten = await Scalar<long>($"select seq_id from mt_events where stream_id = '{a}' and version = 2");
        await Sql($$"""
            update mt_events set type = 'tombstone', version = seq_id, stream_id = '{{tombstoneStream}}' where seq_id = {{rewritten}};
            with n as (select nextval('mt_events_sequence') as seq)
            insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived)
            select n.seq, gen_random_uuid(), '{{b}}', n.seq, '{}', 'tombstone', '-infinity', '*DEFAULT*', 'JasperFx.Events.Tombstone, JasperFx.Events', false from n;
            delete from mt_events where stream_id = '{{b}}' and version = 2;
            """);

        // The same in one walk and in ranges of a stream or two, where the rewritten event and its link lie in
        // different ranges.
        foreach (var perRange in new[] { 50_000, 1 })
        {
            CareRegistry.Audit.ChainVerifier.EventsPerRange = perRange;
            try
            {
                var report = await Verify();
                Assert.Equal("broken", report["status"]!.GetValue<string>());
                var breaks = report["breaks"]!.AsArray().Select(x => (Sequence: x!["sequence"]!.GetValue<long>(), Stream: x["streamId"]!.GetValue<Guid>(),
                    Version: x["version"]!.GetValue<long>(), Kind: x["kind"]!.GetValue<string>())).ToList();
                Assert.Contains(breaks, x => x.Sequence == rewritten && x.Kind == "hash-mismatch");
                Assert.Contains(breaks, x => x.Stream == b && x.Kind == "tombstone-in-stream");
                Assert.Contains(breaks, x => x.Stream == b && x.Version == 3 && x.Kind == "missing-before");
                Assert.Contains(breaks, x => x.Stream == b && x.Version == 2 && x.Kind == "event-deleted");
            }
            finally
            {
                CareRegistry.Audit.ChainVerifier.EventsPerRange = 50_000;
            }
        }
    }

    [Fact]
    public async Task A_gap_before_tombstones_holds_the_feed_until_a_later_event_is_old_enough()
    {
        await Client.Register(Scenario.CareHome("缺口前养老院"));
        var before = await Scalar<long>("select max(seq_id) from mt_events");
        // A sequence number taken by a transaction still at work, then a tombstone as Marten writes it (no time).
        var stream = Guid.NewGuid();
        await Sql($$"""
            select nextval('mt_events_sequence');
            insert into mt_streams (id, tenant_id, version, is_archived) values ('{{stream}}', '*DEFAULT*', 0, false);
            with n as (select nextval('mt_events_sequence') as seq)
            insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived)
            select n.seq, gen_random_uuid(), '{{stream}}', n.seq, '{}', 'tombstone', '-infinity', '*DEFAULT*', 'JasperFx.Events.Tombstone, JasperFx.Events', false from n;
            """);
        var after = await Client.Register(Scenario.CareHome("缺口后养老院"));
        var recorded = DateTimeOffset.UtcNow;

        var page = (await Client.Get($"/api/audit/events?after={before}")).ShouldBe(HttpStatusCode.OK);
        Assert.Empty(page["items"].AsArray());
        Assert.Null(page.Body!["next"]);
        Assert.Empty(await Ndjson($"/api/audit/events?after={before}"));

        var settles = recorded + TimeSpan.FromSeconds(5.5) - DateTimeOffset.UtcNow;
        if (settles > TimeSpan.Zero) await Task.Delay(settles);
        page = (await Client.Get($"/api/audit/events?after={before}")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(after, Assert.Single(page["items"].AsArray())!["streamId"]!.GetValue<Guid>());
        Assert.Equal(await Scalar<long>("select max(seq_id) from mt_events"), page["next"].GetValue<long>());
    }
}
