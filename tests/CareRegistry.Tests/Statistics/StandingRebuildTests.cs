using System.Net;
using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;

namespace CareRegistry.Tests.Statistics;

// The set-based rebuild of the standing projection writes exactly the rows the daemon writes event by event, and the
// daemon's shard goes on from where it leaves the progression.
public class StandingRebuildTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private const string District = "530112";

    // Two care homes and a hospital: a partnership across a home and the hospital, a beds change retracted, a filing
    // correction requested and made then that correction retracted, an inspection with two findings (one as recorded
    // before findings carried their department), a closure. The
    // snapshots' set-based rebuild (SnapshotRebuildTests) folds the same world.
    internal static async Task<(Guid A, Guid B, Guid Hospital, Guid Inspection)> BuildWorld(HttpClient client, RegistryFixture fixture)
    {
        await client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        var a = await client.Register(Scenario.CareHome("甲重建养老院", District));
        var b = await client.Register(Scenario.CareHome("乙重建养老院", District));
        var hospital = await client.Register(Scenario.Hospital("丙重建医院", District));
        var filing = (await client.Submit(a, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created).Id;
        (await client.Submit(b, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        var licence = (await client.Submit(hospital, PermitType.MedicalPractice, D(2010, 1, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await client.Grant(hospital, licence, D(2010, 2, 1), D(2035, 12, 31))).ShouldBe(HttpStatusCode.OK);
        (await client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [a, hospital], [PartnershipService.EmergencyCare],
            D(2019, 1, 1), D(2030, 12, 31)))).ShouldBe(HttpStatusCode.Created);

        var beds = (await client.Post($"/api/institutions/{a}/beds", new ChangeBeds(D(2020, 1, 1), new BedsInput(ElderlyCare: 200), "扩建")))
            .ShouldBe(HttpStatusCode.OK);
        (await client.Post("/api/corrections", new RetractEntry(a, beds.Version, "床位数录入错误"))).ShouldBe(HttpStatusCode.OK);
        (await client.Post($"/api/institutions/{a}/permits/{filing}/correction-request", new RequestFilingCorrection(D(2024, 6, 1), D(2024, 7, 1), "缺执业人员名单")))
            .ShouldBe(HttpStatusCode.OK);
        var corrected = (await client.Post($"/api/institutions/{a}/permits/{filing}/correction", new CorrectFiling(D(2024, 7, 15), "已补正")))
            .ShouldBe(HttpStatusCode.OK);
        (await client.Post("/api/corrections", new RetractEntry(filing, corrected.Version, "补正记错"))).ShouldBe(HttpStatusCode.OK);

        var inspection = (await client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [b], [Department.CivilAffairs], ["张检查"], D(2024, 3, 1))))
            .ShouldBe(HttpStatusCode.Created).Id;
        (await client.Post($"/api/inspections/{inspection}/findings", new RecordFinding(b, FindingCategory.FireSafety, Severity.Major, 4,
            "消防通道堵塞", D(2024, 4, 1), D(2024, 3, 1)))).ShouldBe(HttpStatusCode.Created);
        // A finding as recorded before findings carried their department: the folds take its department from the header
        // its request was stamped with (Inspection.Read), health's here where the inspection's own is civil affairs', so
        // a rebuild that did not read the headers would write other rows than the daemon's.
        await using (var session = fixture.Store.LightweightSession())
        {
            // Fetched for writing, as a command appends: the snapshot's version is then the event's.
            var stream = await session.Events.FetchForWriting<Inspection>(inspection);
            var legacy = new RecordFinding(b, FindingCategory.Hygiene, Severity.Minor, 1, "台账不全", D(2024, 4, 2), null)
                .Decide(stream.Aggregate!, D(2024, 3, 2), Department.Health) with { Department = null };
            session.LastModifiedBy = "wang-health";
            session.SetHeader(RecordedBy.DepartmentHeader, Json.Wire(Department.Health));
            session.SetHeader(RecordedBy.RoleHeader, Json.Wire(Role.Inspector));
            stream.AppendOne(legacy);
            await session.SaveChangesAsync();
        }
        (await client.Post($"/api/institutions/{b}/closure", new CloseInstitution(D(2025, 1, 1), "停业"))).ShouldBe(HttpStatusCode.OK);
        await fixture.Projected();
        return (a, b, hospital, inspection);
    }

    // The set-based rebuilds' rows are compared with the daemon's on a world whose every event says who recorded it (its
    // user and headers): a rebuild that read its events without them would write other rows wherever a fold reads them
    // (Inspection.Read; a reader that left them out was tried: docs/performance-log.md, the thirty-sixth stop).
    internal static async Task AssertEveryEventSaysWhoRecordedIt(Npgsql.NpgsqlDataSource db)
    {
        await using var who = db.CreateCommand("select count(*), count(*) filter (where user_name is null or headers is null or headers = '{}') from mt_events");
        await using var row = await who.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.True(row.GetInt64(0) > 0);
        Assert.Equal(0, row.GetInt64(1));
    }

    // Every column but Marten's version stamp and modification time, row by row in id order.
    private async Task<List<string>> Rows(string table, string columns)
    {
        await using var command = Db.CreateCommand($"select row({columns})::text from {table} order by id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    private const string FactColumns = "id, data::text, institution_id, jurisdiction, kind, fact, label, status, department, valid_from, "
                                       + "valid_to, recorded_from, recorded_to, value, subject";

    private async Task<(List<string> Facts, List<string> Standings)> Snapshot() =>
        (await Rows(StandingSql.Table, FactColumns), await Rows("mt_doc_institutionstanding", "id, data::text, mt_dotnet_type"));

    [Fact]
    public async Task The_set_based_rebuild_writes_the_rows_the_daemon_writes_and_the_shard_continues_from_it()
    {
        var (a, _, hospital, _) = await BuildWorld(Client, Fixture);
        await AssertEveryEventSaysWhoRecordedIt(Db);
        var daemonRows = await Snapshot();
        await using (var closed = Db.CreateCommand($"select count(*) from {StandingSql.Table} where recorded_to is not null"))
            Assert.True(Convert.ToInt64(await closed.ExecuteScalarAsync()) > 0);   // the retractions closed rows
        Assert.Contains(daemonRows.Facts, r => r.Contains(Facts.Partnered) && r.Contains(hospital.ToString()));

        // One institution per partition, on two workers: the partnership's two parties are folded apart.
        var coordinator = Fixture.Host.Services.GetRequiredService<IProjectionCoordinator>();
        var shard = await ReplayCheck.ShardAsync(Fixture.Host.Services, (await coordinator.AllDaemonsAsync()).Single(), StandingProjection.Name);
        Assert.NotNull(shard);
        var report = await StandingRebuild.RunAsync(Fixture.Store, Db, () => Task.FromResult<ShardControl?>(shard), new StandingRebuild.Settings(Partition: 1, Workers: 2), null, CancellationToken.None);
        Assert.Equal(3, report.Institutions);
        var rebuilt = await Snapshot();
        Assert.Equal(daemonRows.Facts, rebuilt.Facts);
        Assert.Equal(daemonRows.Standings, rebuilt.Standings);
        // The fresh facts table took the old one's vacuum settings and came with statistics (reltuples is -1 until then).
        await using (var table = Db.CreateCommand($"select coalesce(reloptions, '{{}}'), reltuples from pg_class where oid = '{StandingSql.Table}'::regclass"))
        await using (var row = await table.ExecuteReaderAsync())
        {
            Assert.True(await row.ReadAsync());
            Assert.Equal(StandingVacuum.Settings, row.GetFieldValue<string[]>(0));
            Assert.True(row.GetFloat(1) >= 3);
        }
        // The fresh standings table compresses as the old one did.
        Assert.Equal("l", await StandingCompressionTests.Compression(Db));

        // The route takes the same path, and the shard runs on afterwards from the progression the swap set.
        await Client.Rebuild();
        var routed = await Snapshot();
        Assert.Equal(daemonRows.Facts, routed.Facts);
        Assert.Equal(daemonRows.Standings, routed.Standings);
        (await Client.Post($"/api/institutions/{a}/beds", new ChangeBeds(D(2021, 1, 1), new BedsInput(ElderlyCare: 120), "扩建"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        var after = await Snapshot();
        var agents = Fixture.Host.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>().Agents;
        Assert.Contains(agents.AllRunningAgentUris(), u => u.AbsolutePath.EndsWith("/institutionstanding/all", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(after.Facts, r => r.Contains(Facts.Beds) && r.Contains(",120,"));
        Assert.True(after.Facts.Count > daemonRows.Facts.Count);
    }

    // A batch begun before the swap that reaches the database after it finds the progression moved and fails as out of
    // order, and Wolverine leaves the shard stopped (full run 33). For a while after the swap, a shard found stopped is
    // started again. The failure is made here as such a batch meets it: the progression no longer holds what the shard
    // last wrote when its next batch commits.
    [Fact]
    public async Task A_shard_that_fails_as_out_of_order_right_after_the_swap_is_started_again()
    {
        var (a, _, _, _) = await BuildWorld(Client, Fixture);
        await Client.Rebuild();
        await using (var move = Db.CreateCommand($"update mt_event_progression set last_seq_id = last_seq_id - 1 where name = '{StandingProjection.Name}:All'"))
            Assert.Equal(1, await move.ExecuteNonQueryAsync());
        (await Client.Post($"/api/institutions/{a}/beds", new ChangeBeds(D(2021, 1, 1), new BedsInput(ElderlyCare: 140), "扩建"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        Assert.Contains((await Snapshot()).Facts, r => r.Contains(Facts.Beds) && r.Contains(",140,"));
        var agents = Fixture.Host.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>().Agents;
        Assert.Contains(agents.AllRunningAgentUris(), u => u.AbsolutePath.EndsWith("/institutionstanding/all", StringComparison.OrdinalIgnoreCase));
    }

    // The standing's shard on this node, stopped and started through a control that records each step in Steps (with
    // what `state` says at that moment, if given) and tracks whether the shard runs; the rebuild finds it on this node
    // while it runs. StartedByLeader plays Wolverine's leader starting it again.
    private sealed class WatchedShard(ShardControl real, Func<Task<string>>? state)
    {
        private volatile bool _running = true;

        public List<string> Steps { get; } = [];
        public bool Running => _running;

        public Task<ShardControl?> OnThisNode() => Task.FromResult(_running ? Control : null);

        private ShardControl Control => new(() => StepAsync("stopped", false, real.Stop), () => StepAsync("started", true, real.Start));

        private async Task StepAsync(string step, bool running, Func<Task> act)
        {
            Steps.Add(state is null ? step : $"{step} {await state()}");
            _running = running;
            await act();
        }

        public void StartedByLeader()
        {
            real.Start().GetAwaiter().GetResult();
            _running = true;
            Steps.Add("started by the leader");
        }
    }

    private async Task<WatchedShard> WatchShardAsync(Func<Task<string>>? state = null)
    {
        var coordinator = Fixture.Host.Services.GetRequiredService<IProjectionCoordinator>();
        var real = await ReplayCheck.ShardAsync(Fixture.Host.Services, (await coordinator.AllDaemonsAsync()).Single(), StandingProjection.Name);
        Assert.NotNull(real);
        return new WatchedShard(real, state);
    }

    // A shard started again early in the fold is stopped again while the fold runs, not only before the swap: one behind
    // the log would otherwise fold event by event beside it, on the same cores, into tables the swap throws away.
    [Fact]
    public async Task A_shard_started_again_during_the_fold_is_stopped_again_while_the_fold_runs()
    {
        var (a, _, _, _) = await BuildWorld(Client, Fixture);
        var shard = await WatchShardAsync();
        var partitions = 0;
        void Progress(long sequence)
        {
            if (sequence == 0) return;
            switch (Interlocked.Increment(ref partitions))
            {
                case 1:
                    // The leader's check, after the first partition: the shard runs again.
                    shard.StartedByLeader();
                    break;
                case 2:
                    // The third partition waits until the shard has been found and stopped again (at most 20 s).
                    for (var waited = System.Diagnostics.Stopwatch.StartNew(); shard.Running && waited.Elapsed < TimeSpan.FromSeconds(20);)
                        Thread.Sleep(20);
                    shard.Steps.Add("the fold goes on");
                    break;
            }
        }

        await StandingRebuild.RunAsync(Fixture.Store, Db, shard.OnThisNode,
            new StandingRebuild.Settings(Partition: 1, Workers: 1, KeepStoppedEvery: TimeSpan.FromMilliseconds(50)), Progress, CancellationToken.None);

        Assert.Equal(3, partitions);
        Assert.Equal(["stopped", "started by the leader", "stopped", "the fold goes on", "started"], shard.Steps);
        (await Client.Post($"/api/institutions/{a}/beds", new ChangeBeds(D(2021, 1, 1), new BedsInput(ElderlyCare: 150), "扩建"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        Assert.Contains((await Snapshot()).Facts, r => r.Contains(Facts.Beds) && r.Contains(",150,"));
    }

    // Wolverine's leader starts an agent it finds stopped on its next check, and a fold at full scale outlasts several
    // checks. A shard running again when the fold ends is stopped before the swap moves its progression (otherwise its
    // next batch fails as out of order and Wolverine leaves it stopped), and started after it.
    [Fact]
    public async Task A_shard_started_again_during_the_fold_is_stopped_before_the_swap_and_runs_on_after_it()
    {
        var (a, _, _, _) = await BuildWorld(Client, Fixture);
        // The fresh fact table exists from the fold's start until the swap puts it in the old one's place.
        async Task<string> Fresh()
        {
            await using var fresh = Db.CreateCommand($"select to_regclass('{StandingSql.Table}{FreshTable.Suffix}') is not null");
            return (bool)(await fresh.ExecuteScalarAsync())! ? "with the fresh tables filled" : "without fresh tables";
        }
        var shard = await WatchShardAsync(Fresh);
        // The leader's check, as the first partition is folded: the shard runs again.
        var restarted = 0;
        void Leader(long sequence)
        {
            if (sequence == 0 || Interlocked.Exchange(ref restarted, 1) == 1) return;
            shard.StartedByLeader();
        }

        await StandingRebuild.RunAsync(Fixture.Store, Db, shard.OnThisNode, new StandingRebuild.Settings(Partition: 1, Workers: 1), Leader, CancellationToken.None);

        Assert.Equal(["stopped without fresh tables", "started by the leader", "stopped with the fresh tables filled", "started without fresh tables"], shard.Steps);
        (await Client.Post($"/api/institutions/{a}/beds", new ChangeBeds(D(2021, 1, 1), new BedsInput(ElderlyCare: 130), "扩建"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        Assert.Contains((await Snapshot()).Facts, r => r.Contains(Facts.Beds) && r.Contains(",130,"));
    }
}
