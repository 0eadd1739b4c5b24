using System.Net;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using CareRegistry.Tests.Statistics;
using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;

namespace CareRegistry.Tests.Audit;

// The stream snapshots rebuilt set-based (SnapshotRebuild) hold the very rows the daemon's replay writes, with the same
// indexes, and take in what commands record while the rebuild runs.
public class SnapshotRebuildTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private List<(string Name, ISetBasedSnapshot Projection, string Table)> Snapshots() =>
        ((StoreOptions)Fixture.Store.Options).Projections.All.Where(p => p is ISetBasedSnapshot)
        .Select(p => (p.Name, (ISetBasedSnapshot)p, "mt_doc_" + p.Name.ToLowerInvariant())).ToList();

    // Every column but the modification time, row by row in id order.
    private async Task<List<string>> Rows(string table)
    {
        await using var command = Db.CreateCommand($"select (to_jsonb(t) - 'mt_last_modified')::text from {table} t order by id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    // The indexes' definitions, the constraints and the indexes' own statistics targets (SearchStatistics').
    private async Task<List<string>> Indexes(string table)
    {
        await using var command = Db.CreateCommand("""
            select indexdef from pg_indexes where tablename = $1
            union all select conname from pg_constraint where conrelid = $1::regclass
            union all select x.indexrelid::regclass || ' column ' || a.attnum || ' statistics ' || a.attstattarget
                from pg_index x join pg_attribute a on a.attrelid = x.indexrelid where x.indrelid = $1::regclass and coalesce(a.attstattarget, -1) >= 0
            order by 1
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = table });
        await using var reader = await command.ExecuteReaderAsync();
        var indexes = new List<string>();
        while (await reader.ReadAsync()) indexes.Add(reader.GetString(0));
        return indexes;
    }

    private async Task DaemonReplay(string projection)
    {
        var daemon = (await Fixture.Host.Services.GetRequiredService<IProjectionCoordinator>().AllDaemonsAsync()).Single();
        await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(1), CancellationToken.None);
    }

    [Fact]
    public async Task Folded_set_based_the_snapshots_are_the_rows_and_indexes_the_daemon_replay_leaves()
    {
        var (_, _, _, inspection) = await StandingRebuildTests.BuildWorld(Client, Fixture);
        await StandingRebuildTests.AssertEveryEventSaysWhoRecordedIt(Db);
        var snapshots = Snapshots();
        Assert.Equal(["Inspection", "Institution", "Partnership", "Permit"], snapshots.Select(s => s.Name).Order(StringComparer.Ordinal));

        foreach (var (name, projection, table) in snapshots)
        {
            var inline = await Rows(table);
            await DaemonReplay(name);
            var replayed = await Rows(table);
            Assert.NotEmpty(replayed);
            Assert.Equal(inline, replayed);
            var indexes = await Indexes(table);

            // One stream per partition: the corrections (a beds change, a filing's correction) fold again from the log.
            var report = await projection.RebuildSetBasedAsync(Fixture.Store, Db, new SnapshotRebuild.Settings(Partition: 1), null, CancellationToken.None);
            Assert.Equal(replayed, await Rows(table));
            Assert.Equal(indexes, await Indexes(table));
            // Analysed once indexed: the name search's trigram index, over an expression, has statistics of its own.
            await using (var statistics = Db.CreateCommand($"select count(*) from pg_stats where tablename = '{SearchStatistics.Index}'"))
                if (name == nameof(Institution)) Assert.True(Convert.ToInt64(await statistics.ExecuteScalarAsync()) > 0);
            Assert.Equal(replayed.Count, report.Documents);
            Assert.Equal(0, report.Refolded);
            await using var fresh = Db.CreateCommand($"select to_regclass('{table}{FreshTable.Suffix}') is null");
            Assert.True((bool)(await fresh.ExecuteScalarAsync())!);
        }
        Assert.Contains("乙重建养老院", (await Client.Get("/api/institutions")).Text);
        // Folded set-based, the finding recorded without its department (BuildWorld) has the one its header named.
        var findings = (await Client.Get($"/api/inspections/{inspection}"))["findings"].AsArray();
        Assert.Equal("health", findings.Single(f => f!["description"]!.GetValue<string>() == "台账不全")!["department"]!.GetValue<string>());
    }

    [Fact]
    public async Task What_commands_record_while_the_snapshots_are_folded_is_in_the_table_swapped_in()
    {
        var (_, b, _, inspection) = await StandingRebuildTests.BuildWorld(Client, Fixture);
        var (name, projection, table) = Snapshots().Single(s => s.Name == nameof(Inspection));
        Guid opened = default;
        SnapshotRebuild.BeforeSwapForTests = async () =>
        {
            (await Client.Post($"/api/inspections/{inspection}/findings", new RecordFinding(b, FindingCategory.Hygiene, Severity.Minor, 1,
                "厨房卫生不达标", D(2024, 4, 15), D(2024, 3, 1)))).ShouldBe(HttpStatusCode.Created);
            opened = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [b], [Department.CivilAffairs], ["李检查"], D(2024, 5, 1))))
                .ShouldBe(HttpStatusCode.Created).Id;
        };
        try
        {
            var report = await projection.RebuildSetBasedAsync(Fixture.Store, Db, new SnapshotRebuild.Settings(), null, CancellationToken.None);
            Assert.Equal(2, report.Refolded);
        }
        finally
        {
            SnapshotRebuild.BeforeSwapForTests = null;
        }

        Assert.Equal(3, (await Client.Get($"/api/inspections/{inspection}"))["findings"].AsArray().Count);
        (await Client.Get($"/api/inspections/{opened}")).ShouldBe(HttpStatusCode.OK);
        var rebuilt = await Rows(table);
        await DaemonReplay(name);
        Assert.Equal(await Rows(table), rebuilt);
    }

    // A swap queued behind a long read (an open transaction that read the table, as an export holds it) does not hold up
    // the reads that come after it: it waits a second at a time for its lock, lets them through between attempts, and
    // swaps once the long read has ended.
    [Fact]
    public async Task A_swap_behind_a_long_read_lets_later_reads_through_and_swaps_when_it_ends()
    {
        await StandingRebuildTests.BuildWorld(Client, Fixture);
        var (_, projection, table) = Snapshots().Single(s => s.Name == nameof(Inspection));
        var rows = await Rows(table);
        await using var longReader = await Db.OpenConnectionAsync();
        var longRead = await longReader.BeginTransactionAsync();
        await using (var read = new Npgsql.NpgsqlCommand($"select count(*) from {table}", longReader, longRead))
            await read.ExecuteScalarAsync();

        var rebuild = projection.RebuildSetBasedAsync(Fixture.Store, Db, new SnapshotRebuild.Settings(), null, CancellationToken.None);
        // Until the swap asks for its lock (the fold and the indexes come first).
        var asked = false;
        for (var look = 0; look < 600 && !asked && !rebuild.IsCompleted; look++)
        {
            await using var waiting = Db.CreateCommand($"select count(*) from pg_locks where relation = '{table}'::regclass and mode = 'AccessExclusiveLock' and not granted");
            asked = Convert.ToInt64(await waiting.ExecuteScalarAsync()) > 0;
            if (!asked) await Task.Delay(50);
        }
        Assert.True(asked, "the swap asked for the table's lock");

        // A read that comes now gets through while the long read still holds the table (it would otherwise wait for
        // that read to end, and fail here after 20 s).
        await using (var later = await Db.OpenConnectionAsync())
        await using (var tx = await later.BeginTransactionAsync())
        {
            await using (var limit = new Npgsql.NpgsqlCommand("set local statement_timeout = 20000", later, tx)) await limit.ExecuteNonQueryAsync();
            await using var read = new Npgsql.NpgsqlCommand($"select count(*) from {table}", later, tx);
            Assert.Equal(rows.Count, Convert.ToInt32(await read.ExecuteScalarAsync()));
        }
        Assert.False(rebuild.IsCompleted);

        await longRead.RollbackAsync();
        await rebuild;
        Assert.Equal(rows, await Rows(table));
    }
}
