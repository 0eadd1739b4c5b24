using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace CareRegistry.Tests.Resilience;

// The rebuild verb (`dotnet CareRegistry.Api.dll rebuild`) as an operator runs it: the service stopped, the verb, the
// service started again. It rebuilds as the route does — the standing facts and the stream snapshots into fresh tables
// swapped in for the old ones, which Marten's own `projections rebuild` never does — to the documents the service
// served, and the standing shard goes on from where the rebuild left its progression.
[Collection(ResilienceCollection.Name), Trait("Category", "Resilience")]
public sealed class RebuildCommandTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(60);

    // The tables a set-based rebuild swaps: the standing's two and two of the stream snapshots'.
    private static readonly string[] Swapped = ["mt_doc_standingfact", "mt_doc_institutionstanding", "mt_doc_institution", "mt_doc_inspection"];

    [ResilienceFact]
    public async Task The_rebuild_verb_rebuilds_as_the_route_does_and_the_service_goes_on_from_it()
    {
        // No database to reach: a plain refusal, not a stack trace.
        var (unreachableCode, unreachable) = await ServiceProcess.RunVerbAsync(
            $"Host=127.0.0.1;Port={PostgresCluster.FreePort()};Database=careregistry;Username=careregistry;Timeout=3", TimeSpan.FromMinutes(1), null, "rebuild");
        Assert.True(unreachableCode != 0 && unreachable.Contains("cannot reach the database") && !unreachable.Contains("   at "),
            $"without a database the verb exited {unreachableCode}:\n{unreachable}");

        await using var cluster = await PostgresCluster.StartAsync();
        var port = PostgresCluster.FreePort();
        JsonNode served;
        var service = await ServiceProcess.StartAsync(cluster.ConnectionString(), port, ServiceProcess.FastRecovery);
        try
        {
            await Load.WarmUpAsync(service);
            var home = await service.Client.Register(Scenario.CareHome("重建养老院", "530102"));
            (await service.Client.Submit(home, PermitType.ElderlyCare, new DateOnly(2018, 1, 1), new DateOnly(2023, 1, 1))).ShouldBe(HttpStatusCode.Accepted);
            var inspection = (await service.Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [home], [Department.CivilAffairs],
                ["检查员"], new DateOnly(2024, 3, 1)))).ShouldBe(HttpStatusCode.Created).Id;
            (await service.Client.Post($"/api/inspections/{inspection}/findings", new RecordFinding(home, FindingCategory.FireSafety, Severity.Major, 4,
                "消防通道堵塞", new DateOnly(2024, 6, 1), new DateOnly(2024, 3, 1)))).ShouldBe(HttpStatusCode.Created);
            await service.Client.Register(Scenario.Hospital("重建医院", "530102"));
            served = await RegistryChecks.CurrentProjectionsAsync(service.Client, CatchUp);

            // Beside a running service the verb refuses, and changes nothing.
            var running = await TablesAsync(cluster);
            var (refusedCode, refusal) = await ServiceProcess.RunVerbAsync(cluster.ConnectionString(), TimeSpan.FromMinutes(2), ServiceProcess.FastRecovery, "rebuild");
            Assert.True(refusedCode != 0 && refusal.Contains("refused: a registry node"), $"beside a running service the verb exited {refusedCode}:\n{refusal}");
            Assert.Equal(running, await TablesAsync(cluster));
            Assert.True(JsonNode.DeepEquals(served["projections"], (await RegistryChecks.CurrentProjectionsAsync(service.Client, CatchUp))["projections"]), "the refused verb changed a projection");
            await service.StopAsync();
        }
        finally
        {
            await service.DisposeAsync();
        }

        var before = await TablesAsync(cluster);
        var (exitCode, text) = await ServiceProcess.RunVerbAsync(cluster.ConnectionString(), TimeSpan.FromMinutes(5), ServiceProcess.FastRecovery, "rebuild");
        output.WriteLine(text);
        Assert.True(exitCode == 0, $"the verb exited {exitCode}:\n{text}");
        foreach (var projection in served["projections"]!.AsArray())
            Assert.Contains($"  {projection!["name"]!.GetValue<string>()} ({projection["lifecycle"]!.GetValue<string>()}): succeeded", text);
        Assert.Matches(@"rebuild \S+ succeeded: \d+ events", text);
        var after = await TablesAsync(cluster);
        foreach (var table in Swapped) Assert.True(before[table] != after[table], $"{table} was not swapped for a fresh table:\n{text}");

        service = await ServiceProcess.StartAsync(cluster.ConnectionString(), port, ServiceProcess.FastRecovery);
        try
        {
            var rebuilt = await RegistryChecks.CurrentProjectionsAsync(service.Client, CatchUp);
            foreach (var projection in served["projections"]!.AsArray())
            {
                var name = projection!["name"]!.GetValue<string>();
                var again = rebuilt["projections"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == name);
                Assert.True(JsonNode.DeepEquals(projection["documents"], again!["documents"]),
                    $"{name}: served {projection["documents"]!.ToJsonString()}, after the verb {again["documents"]!.ToJsonString()}");
            }

            // The standing shard goes on from the rebuild's high-water mark: a later registration gets its facts.
            var later = await service.Client.Register(Scenario.CareHome("重建后养老院", "530102"));
            await RegistryChecks.ProjectionsCatchUpAndEqualARebuildAsync(service.Client, CatchUp);
            await using var connection = await cluster.OpenAsync();
            await using var facts = new NpgsqlCommand("select count(*) from mt_doc_standingfact where institution_id = $1", connection)
            {
                Parameters = { new NpgsqlParameter<Guid> { TypedValue = later } },
            };
            Assert.True(Convert.ToInt64(await facts.ExecuteScalarAsync()) > 0, "the registration after the verb has no standing facts");
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    private static async Task<Dictionary<string, uint>> TablesAsync(PostgresCluster cluster)
    {
        await using var connection = await cluster.OpenAsync();
        await using var query = new NpgsqlCommand("select relname, oid from pg_class where relkind = 'r' and relname = any($1)", connection)
        {
            Parameters = { new NpgsqlParameter<string[]> { TypedValue = Swapped } },
        };
        await using var row = await query.ExecuteReaderAsync();
        var tables = new Dictionary<string, uint>();
        while (await row.ReadAsync()) tables[row.GetString(0)] = row.GetFieldValue<uint>(1);
        Assert.Equal(Swapped.Length, tables.Count);
        return tables;
    }
}
