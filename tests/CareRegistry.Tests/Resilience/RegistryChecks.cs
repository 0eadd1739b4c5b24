using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Tests.Infrastructure;
using Npgsql;

namespace CareRegistry.Tests.Resilience;

// What every scenario checks once the faults are over, straight against the database and through the API.
public static class RegistryChecks
{
    private sealed record LoggedEvent(Guid Stream, long Version, string Type, string? Uscc, Guid? Institution);

    private static async Task<List<LoggedEvent>> EventLogAsync(PostgresCluster cluster)
    {
        await using var connection = await cluster.OpenAsync();
        await using var query = new NpgsqlCommand("select stream_id, version, type, data->>'uscc', data->>'institutionId' from mt_events", connection);
        await using var row = await query.ExecuteReaderAsync();
        var events = new List<LoggedEvent>();
        while (await row.ReadAsync())
            events.Add(new LoggedEvent(row.GetGuid(0), row.GetInt64(1), row.GetString(2), row.IsDBNull(3) ? null : row.GetString(3),
                row.IsDBNull(4) ? null : Guid.Parse(row.GetString(4))));
        return events;
    }

    // Every acknowledged command is in the event log exactly once, under the id it answered; a command never
    // acknowledged (all its attempts failed) left nothing — unless the service said its answer was lost (recorded,
    // then the process died before the answer was kept), and then it is there exactly once. Returns how many
    // acknowledged writes were checked.
    public static async Task<int> AcknowledgedWritesAreInTheLogOnceAsync(PostgresCluster cluster, CommandLoad load)
    {
        var events = await EventLogAsync(cluster);
        var registrations = events.Where(e => e.Type == "institution_registered").ToLookup(e => e.Uscc);
        var submissions = events.Where(e => e.Type is "permit_application_submitted" or "permit_filed").ToLookup(e => e.Institution);
        var acknowledged = 0;
        foreach (var command in load.Commands)
        {
            var recorded = command.Kind == "register" ? registrations[command.Uscc].ToList() : submissions[command.Institution].ToList();
            if (command.Acknowledged is null)
            {
                var answerLost = command.Attempts[^1].Text.Contains("its answer was lost");
                Assert.True(recorded.Count == (answerLost ? 1 : 0), $"never acknowledged, yet in the log {recorded.Count} times: {command}");
                continue;
            }
            acknowledged++;
            Assert.True(recorded.Count == 1, $"acknowledged, but in the log {recorded.Count} times: {command}");
            Assert.Equal(command.AnsweredId, recorded[0].Stream);
            Assert.Equal(1, recorded[0].Version);
        }
        return acknowledged;
    }

    // A retry of an acknowledged command with its key gets the first answer again and writes nothing more.
    public static async Task<int> RetriesGetTheFirstAnswerAsync(CommandLoad load, PostgresCluster cluster)
    {
        var before = (await EventLogAsync(cluster)).Count;
        var acknowledged = load.Commands.Where(c => c.Acknowledged is not null).ToList();
        await Parallel.ForEachAsync(acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (command, _) =>
        {
            var again = await load.AttemptAsync(command);
            Assert.True(again.Status == command.Acknowledged!.Status && again.Text == command.Acknowledged.Text,
                $"retry of {command} answered {again.Status} {again.Text}, first answer {command.Acknowledged.Status} {command.Acknowledged.Text}");
        });
        Assert.Equal(before, (await EventLogAsync(cluster)).Count);
        return acknowledged.Count;
    }

    // The projections' report once every async projection has read the last event; fails when that takes longer than the bound.
    public static async Task<JsonNode> CurrentProjectionsAsync(HttpClient client, TimeSpan bound)
    {
        for (var watch = Stopwatch.StartNew(); ; await Task.Delay(250))
        {
            var report = (await client.Get("/api/audit/projections")).ShouldBe(HttpStatusCode.OK).Body!;
            if (report["current"]!.GetValue<bool>()) return report;
            Assert.False(watch.Elapsed > bound, $"async projections did not reach the last event within {bound.TotalSeconds} s: {report.ToJsonString()}");
        }
    }

    // Every async projection (whichever the registry has: found through the projection report, not named here)
    // reads up to the last event within the bound; then a rebuild of every projection from the events yields the
    // same documents, digest for digest. Returns the async projections it saw.
    public static async Task<(IReadOnlyList<string> Async, TimeSpan CaughtUpIn)> ProjectionsCatchUpAndEqualARebuildAsync(HttpClient client, TimeSpan bound)
    {
        var watch = Stopwatch.StartNew();
        var report = await CurrentProjectionsAsync(client, bound);
        var asyncProjections = report["projections"]!.AsArray().Where(p => p!["lifecycle"]!.GetValue<string>() == "async")
            .Select(p => p!["name"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(asyncProjections);
        var caughtUp = watch.Elapsed;

        await client.Rebuild();
        var rebuilt = (await client.Get("/api/audit/projections")).ShouldBe(HttpStatusCode.OK).Body!;
        foreach (var projection in report["projections"]!.AsArray())
        {
            var name = projection!["name"]!.GetValue<string>();
            var after = rebuilt["projections"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == name);
            Assert.True(JsonNode.DeepEquals(projection["documents"], after!["documents"]),
                $"{name}: served {projection["documents"]!.ToJsonString()}, rebuilt {after["documents"]!.ToJsonString()}");
        }
        return (asyncProjections, caughtUp);
    }
}
