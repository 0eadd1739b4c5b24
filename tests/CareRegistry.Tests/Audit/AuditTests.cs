using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CareRegistry.Tests.Audit;

public class AuditTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private async Task Sql(string sql)
    {
        await using var cmd = Fixture.Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    // One institution with three events: registered, beds changed, closed.
    private async Task<Guid> InstitutionWithHistory()
    {
        var id = await Client.Register(Scenario.CareHome());
        await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 200), null));
        await Client.Post($"/api/institutions/{id}/closure", new CloseInstitution(new DateOnly(2024, 1, 1), "停业"));
        return id;
    }

    private async Task<JsonArray> Breaks(string expectedStatus = "broken")
    {
        var report = (await Client.Get("/api/audit/verify")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(expectedStatus, report["status"].GetValue<string>());
        return report["breaks"].AsArray();
    }

    private static void Names(JsonArray breaks, Guid stream, long version, string kind) =>
        Assert.Contains(breaks, b => b!["streamId"]!.GetValue<Guid>() == stream && b["version"]!.GetValue<long>() == version && b["kind"]!.GetValue<string>() == kind);

    [Fact]
    public async Task A_clean_store_verifies()
    {
        await InstitutionWithHistory();
        await InstitutionWithHistory();
        var report = (await Client.Get("/api/audit/verify")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("ok", report["status"].GetValue<string>());
        Assert.Equal(6, report["eventsChecked"].GetValue<long>());
    }

    // Walked in many ranges of streams (one or two streams each here) verify finds the same breaks and counts as in one.
    [Fact]
    public async Task Verify_split_into_ranges_of_streams_reports_what_one_walk_does()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Add(await InstitutionWithHistory());
        await Sql($$"""
            delete from mt_events where stream_id = '{{ids[1]}}' and version = 2;
            update mt_events set data = jsonb_set(data, '{beds,elderlyCare}', '2000') where stream_id = '{{ids[3]}}' and version = 2;
            """);
        var whole = (await Client.Get("/api/audit/verify")).ShouldBe(HttpStatusCode.OK);
        CareRegistry.Audit.ChainVerifier.EventsPerRange = 2;
        try
        {
            var split = (await Client.Get("/api/audit/verify")).ShouldBe(HttpStatusCode.OK);
            foreach (var field in new[] { "status", "eventsChecked", "streamsChecked", "tombstones", "breaks" })
                Assert.True(JsonNode.DeepEquals(whole[field], split[field]), $"{field}: {whole[field]?.ToJsonString()} vs {split[field]?.ToJsonString()}");
        }
        finally
        {
            CareRegistry.Audit.ChainVerifier.EventsPerRange = 50_000;
        }
        Assert.Equal(14, whole["eventsChecked"].GetValue<long>());
        Names(whole["breaks"].AsArray(), ids[1], 3, "missing-before");
        Names(whole["breaks"].AsArray(), ids[1], 2, "event-deleted");
        Names(whole["breaks"].AsArray(), ids[3], 2, "hash-mismatch");
    }

    [Fact]
    public async Task An_edited_body_is_found_at_the_exact_event()
    {
        var id = await InstitutionWithHistory();
        await Sql($"update mt_events set data = jsonb_set(data, '{{beds,elderlyCare}}', '2000') where stream_id = '{id}' and version = 2");

        var breaks = await Breaks();
        var only = Assert.Single(breaks)!;
        Names(breaks, id, 2, "hash-mismatch");
        Assert.NotEqual(only["expected"]!.GetValue<string>(), only["found"]!.GetValue<string>());
    }

    [Fact]
    public async Task Edited_metadata_is_found_too()
    {
        var id = await InstitutionWithHistory();
        await Sql($"update mt_events set user_name = 'someone-else' where stream_id = '{id}' and version = 1");
        Names(await Breaks(), id, 1, "hash-mismatch");
    }

    [Fact]
    public async Task A_deleted_event_is_found()
    {
        var id = await InstitutionWithHistory();
        await Sql($"delete from mt_events where stream_id = '{id}' and version = 2");

        var breaks = await Breaks();
        Names(breaks, id, 3, "missing-before");
        Names(breaks, id, 2, "event-deleted");
    }

    [Fact]
    public async Task Reordered_events_are_found()
    {
        var id = await InstitutionWithHistory();
        await Sql($"""
            update mt_events set version = -2 where stream_id = '{id}' and version = 2;
            update mt_events set version = 2 where stream_id = '{id}' and version = 3;
            update mt_events set version = 3 where stream_id = '{id}' and version = -2;
            """);

        var breaks = await Breaks();
        Names(breaks, id, 2, "hash-mismatch");
        Names(breaks, id, 3, "hash-mismatch");
    }

    [Fact]
    public async Task An_event_inserted_behind_the_triggers_back_is_found()
    {
        var id = await InstitutionWithHistory();
        await Sql($"""
            alter table mt_events disable trigger careregistry_chain;
            insert into mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id, causation_id, is_archived)
            select nextval('mt_events_sequence'), gen_random_uuid(), stream_id, 4, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id, causation_id, is_archived
            from mt_events where stream_id = '{id}' and version = 3;
            alter table mt_events enable trigger careregistry_chain;
            """);

        Names(await Breaks(), id, 4, "unchained");
    }

    [Fact]
    public async Task A_stream_shows_its_metadata_and_chain_links()
    {
        var id = await InstitutionWithHistory();
        var events = (await Client.Get($"/api/audit/streams/{id}")).ShouldBe(HttpStatusCode.OK).Body!.AsArray();

        Assert.Equal(3, events.Count);
        Assert.Null(events[0]!["prevHash"]);
        Assert.Equal(events[0]!["hash"]!.GetValue<string>(), events[1]!["prevHash"]!.GetValue<string>());
        Assert.Equal(events[1]!["hash"]!.GetValue<string>(), events[2]!["prevHash"]!.GetValue<string>());
        Assert.Equal("test-civil-affairs", events[1]!["event"]!["user"]!.GetValue<string>());
        Assert.Equal("institution-beds-changed", events[1]!["event"]!["type"]!.GetValue<string>());
        (await Client.Get($"/api/audit/streams/{Guid.NewGuid()}")).ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_digest_of_a_sequence_stays_the_same_while_the_registry_grows()
    {
        await InstitutionWithHistory();
        var before = (await Client.Get("/api/audit/digest")).ShouldBe(HttpStatusCode.OK);
        var upTo = before["upToSequence"].GetValue<long>();

        await InstitutionWithHistory();
        var later = await Client.Get($"/api/audit/digest?upTo={upTo}");
        Assert.Equal(before["value"].GetValue<string>(), later["value"].GetValue<string>());
        Assert.NotEqual(before["value"].GetValue<string>(), (await Client.Get("/api/audit/digest"))["value"].GetValue<string>());
        (await Client.Get("/api/audit/digest?upTo=-1")).ShouldBeProblem(HttpStatusCode.BadRequest, "upTo");
    }

    [Fact]
    public async Task A_follower_of_the_feed_misses_nothing_and_sees_nothing_twice_while_writes_continue()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++) ids.Add(await Client.Register(Scenario.CareHome($"养老院{i}")));

        var writers = Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            for (var n = 1; n <= 10; n++)
                await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2020, 1, n), new BedsInput(ElderlyCare: n), null));
        })));

        var seen = new List<long>();
        long after = 0;
        while (true)
        {
            var page = (await Client.Get($"/api/audit/events?after={after}&limit=7")).ShouldBe(HttpStatusCode.OK);
            seen.AddRange(page["items"].AsArray().Select(e => e!["sequence"]!.GetValue<long>()));
            if (page.Body!["next"] is { } next) after = next.GetValue<long>();
            else if (writers.IsCompleted && seen.Count >= 44) break;
            else await Task.Delay(20);
        }
        await writers;

        Assert.Equal(44, seen.Count);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public async Task The_feed_streams_ndjson_when_asked()
    {
        await InstitutionWithHistory();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit/events?after=0&limit=1000");
        request.Headers.Add("Accept", "application/x-ndjson");
        using var response = await Client.SendAsync(request);

        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.NotNull(JsonNode.Parse(l)!["sequence"]));
        (await Client.Get("/api/audit/events?after=x")).ShouldBeProblem(HttpStatusCode.BadRequest, "after");
        (await Client.Get("/api/audit/events?limit=501")).ShouldBeProblem(HttpStatusCode.BadRequest, "limit");
    }
}

public class ReplayTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task Read_models_equal_a_replay_and_a_rebuild_repairs_an_edited_one()
    {
        var id = await Client.Register(Scenario.CareHome("原名养老院"));
        var permit = (await Client.Submit(id, CareRegistry.Permits.PermitType.ElderlyCare, new DateOnly(2016, 1, 1))).Id;
        await Client.Grant(id, permit, new DateOnly(2016, 3, 1));
        Assert.Equal("ok", (await Client.Get("/api/audit/replay"))["status"].GetValue<string>());
        var history = (await Client.Get($"/api/institutions/{id}/history?order=recorded")).Text;
        Assert.DoesNotContain("\"sequence\":0", history);

        await using (var cmd = Fixture.Host.Services.GetRequiredService<NpgsqlDataSource>()
                         .CreateCommand($"update mt_doc_institution set data = jsonb_set(data, '{{name}}', '\"篡改\"') where id = '{id}'"))
            await cmd.ExecuteNonQueryAsync();
        var report = await Client.Get("/api/audit/replay");
        Assert.Equal("different", report["status"].GetValue<string>());
        Assert.Equal(id, Assert.Single(report["differences"].AsArray())!["id"]!.GetValue<Guid>());

        await Client.Rebuild();
        Assert.Equal("ok", (await Client.Get("/api/audit/replay"))["status"].GetValue<string>());
        Assert.Equal(history, (await Client.Get($"/api/institutions/{id}/history?order=recorded")).Text);
        Assert.Equal("原名养老院", (await Client.Get($"/api/institutions?q={Uri.EscapeDataString("原名养老")}"))["items"][0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_async_projections_follow_new_events_after_a_rebuild()
    {
        // A 养老机构 holds an elderly-care filing in force (docs/monitoring.md): each home files one.
        await Client.Regime("00", CareRegistry.Permits.PermitType.ElderlyCare, CareRegistry.Permits.Regime.Filing, new DateOnly(2018, 12, 29));
        var first = await Client.Register(Scenario.CareHome("重建前养老院"));
        (await Client.Submit(first, CareRegistry.Permits.PermitType.ElderlyCare, new DateOnly(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        await Fixture.Projected();
        await Client.Rebuild();

        var second = await Client.Register(Scenario.CareHome("重建后养老院"));
        (await Client.Submit(second, CareRegistry.Permits.PermitType.ElderlyCare, new DateOnly(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        await Fixture.Projected();
        var table = (await Client.Get("/api/statistics/integrated-care?jurisdiction=530111")).ShouldBe(HttpStatusCode.OK)["figures"].AsArray()
            .Single(f => f!["key"]!.GetValue<string>() == "elderly-care-institutions")!;
        Assert.Equal(2, table["value"]!.GetValue<int>());
        Assert.NotEqual(first, second);
    }
}

public class ExportImportTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task An_export_imported_into_an_empty_registry_gives_the_same_digest_and_read_models()
    {
        var kunming = await Client.Register(Scenario.CareHome("昆明导出养老院", "530111"));
        var permit = (await Client.Submit(kunming, CareRegistry.Permits.PermitType.ElderlyCare, new DateOnly(2016, 1, 1))).Id;
        await Client.Grant(kunming, permit, new DateOnly(2016, 3, 1));
        var yubei = await Client.Register(Scenario.CareHome("渝北导出养老院", "500112"));
        var digest = (await Client.Get("/api/audit/digest"))["value"].GetValue<string>();
        var view = (await Client.Get($"/api/institutions/{kunming}")).Text;

        var all = await Client.GetStringAsync("/api/audit/export");
        Assert.Equal(4, all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var kunmingOnly = await Client.GetStringAsync("/api/audit/export?jurisdiction=5301");
        Assert.Equal(3, kunmingOnly.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain(yubei.ToString(), kunmingOnly);

        await Fixture.ResetAsync();
        var imported = await CareRegistry.Audit.EventLog.ImportAsync(Fixture.Store, Fixture.Host.Services.GetRequiredService<NpgsqlDataSource>(),
            new StringReader(all), CancellationToken.None, Fixture.Host.Services);

        Assert.Equal(4, imported);
        Assert.Equal(digest, (await Client.Get("/api/audit/digest"))["value"].GetValue<string>());
        Assert.Equal("ok", (await Client.Get("/api/audit/verify"))["status"].GetValue<string>());
        Assert.Equal(view, (await Client.Get($"/api/institutions/{kunming}")).Text);
        await Assert.ThrowsAsync<InvalidOperationException>(() => CareRegistry.Audit.EventLog.ImportAsync(Fixture.Store,
            Fixture.Host.Services.GetRequiredService<NpgsqlDataSource>(), new StringReader(all), CancellationToken.None));
    }
}
