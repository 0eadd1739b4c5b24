using System.Net;
using CareRegistry.Common;
using CareRegistry.Audit;
using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CareRegistry.Tests.Audit;

// POST /api/admin/projections/rebuild answers 202 at once and rebuilds in the background; its Location follows it.
public class RebuildTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private ProjectionRebuilds Rebuilds => Fixture.Host.Services.GetRequiredService<ProjectionRebuilds>();

    [Fact]
    public async Task A_rebuild_answers_202_with_a_status_that_runs_then_succeeds_and_a_second_request_meanwhile_is_409()
    {
        await Client.Register(Scenario.CareHome("后台重建养老院"));
        await Fixture.Projected();
        // Held before it begins, so it is surely running while the test looks.
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Rebuilds.HoldForTests = hold.Task;
        try
        {
            var started = (await Client.Post("/api/admin/projections/rebuild", "{}")).ShouldBe(HttpStatusCode.Accepted);
            var location = started.Headers.Location!.ToString();
            Assert.Equal($"/api/admin/projections/rebuilds/{started["id"].GetValue<Guid>()}", location);
            Assert.Equal("running", started["state"].GetValue<string>());
            Assert.True(started["events"].GetValue<long>() > 0);
            var names = started["projections"].AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
            Assert.Contains("InstitutionStanding", names);
            Assert.Contains("Institution", names);

            var second = (await Client.Post("/api/admin/projections/rebuild", "{}")).ShouldBeProblem(HttpStatusCode.Conflict);
            Assert.Contains(location, second["detail"].GetValue<string>());
            Assert.Equal("running", (await Client.Get(location)).ShouldBe(HttpStatusCode.OK)["state"].GetValue<string>());

            hold.SetResult();
            var done = await Client.RebuildFinished(location);
            Assert.All(done["projections"]!.AsArray(), p => Assert.Equal("succeeded", p!["state"]!.GetValue<string>()));
            Assert.NotNull(done["finishedAt"]);
            Assert.True(done["seconds"]!.GetValue<double>() > 0);
        }
        finally
        {
            hold.TrySetResult();
            Rebuilds.HoldForTests = null;
        }

        // Once it has finished, the next request starts another.
        await Client.Rebuild();
        Assert.Equal("后台重建养老院", (await Client.Get("/api/institutions"))["items"][0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_daemon_replays_at_most_the_configured_number_of_projections_at_once_beside_the_set_based_ones()
    {
        await Client.Register(Scenario.CareHome("分批重建养老院"));
        await Fixture.Projected();
        var (gate, running, most, states) = (new Lock(), new HashSet<string>(), 0, new Dictionary<string, List<RebuildState>>());
        var standingBeside = false;
        await ReplayCheck.RebuildAsync(Fixture.Store, Fixture.Host.Services, CancellationToken.None, (name, state, _) =>
        {
            lock (gate)
            {
                (states.TryGetValue(name, out var seen) ? seen : states[name] = []).Add(state);
                // The counts are counted set-based and, like the standing fold, take no turn.
                if (name == RegistryCountsProjection.ProjectionName) return;
                if (name == StandingProjection.Name)
                {
                    if (state == RebuildState.Running) standingBeside = running.Count > 0 || standingBeside;
                    return;
                }
                if (state == RebuildState.Running) running.Add(name); else running.Remove(name);
                most = Math.Max(most, running.Count);
                if (state == RebuildState.Running && states.TryGetValue(StandingProjection.Name, out var standing)
                    && standing[^1] == RebuildState.Running) standingBeside = true;
            }
        });

        Assert.Equal(RebuildTuning.Concurrency, most);
        Assert.True(standingBeside, "the standing fold runs beside the daemon's projections, not after them");
        Assert.All(states, s => Assert.Equal([RebuildState.Running, RebuildState.Succeeded], s.Value));
        Assert.Contains("Institution", states.Keys);
        Assert.Equal("分批重建养老院", (await Client.Get("/api/institutions"))["items"][0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_a_national_admin_starts_a_rebuild_and_an_unknown_one_is_404()
    {
        foreach (var (role, department, jurisdiction) in new[] { (Role.Officer, (Department?)Department.CivilAffairs, "00"), (Role.Auditor, null, "00"), (Role.Admin, null, "5301") })
            (await Client.Post("/api/admin/projections/rebuild", "{}", bearer: Fixture.Tokens.For("not-allowed", department, role, jurisdiction)))
                .ShouldBeProblem(HttpStatusCode.Forbidden);
        Assert.Null(Rebuilds.Running);
        (await Client.Get($"/api/admin/projections/rebuilds/{Guid.NewGuid()}")).ShouldBeProblem(HttpStatusCode.NotFound);
    }
}
