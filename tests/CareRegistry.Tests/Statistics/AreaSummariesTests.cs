using System.Net;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CareRegistry.Tests.Statistics;

// The monitoring table and the alert counts believed now are summed from figures stored per district and day
// (AreaSummaries). They must equal what the facts say, computed from the facts themselves, for a district, a city, a
// province and the nation on several days — and stay equal after new events change a district whose figures were
// already stored.
public class AreaSummariesTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static readonly string[] Prefixes = ["530111", "530102", "5301", "5303", "53", "50", ""];

    private DateOnly[] Days() => [D(2019, 6, 19), D(2025, 3, 15), D(2025, 6, 1), D(2025, 7, 1), Fixture.Host.Services.GetRequiredService<TimeProvider>().Today()];

    private async Task AssertSameAsFacts(string when)
    {
        await Fixture.Projected();
        await using var session = Fixture.Store.QuerySession();
        foreach (var day in Days())
        foreach (var prefix in Prefixes)
        {
            var expected = await MonitoringTableEndpoint.FromFactsAsync(Db, prefix, day, null, false, CancellationToken.None);
            var (actual, _) = await MonitoringTableEndpoint.FromSummariesAsync(Db, prefix, day, Staleness.None, CancellationToken.None);
            foreach (var (key, value) in expected)
                Assert.True(value.Value == actual[key].Value, $"{when}: {key} in '{prefix}' on {day}: facts say {value.Value}, summaries {actual[key].Value}");
            foreach (var department in new string?[] { null, Json.Wire(Department.Health), Json.Wire(Department.CivilAffairs) })
            {
                var alerts = await AlertQueries.CountByTypeFromFactsAsync(session, Db, prefix, day, null, department, CancellationToken.None);
                var (summed, _) = await AlertQueries.CountByTypeAsync(session, Db, prefix, day, null, department, Staleness.None, CancellationToken.None);
                Assert.True(alerts.OrderBy(a => a.Key).SequenceEqual(summed.OrderBy(a => a.Key)),
                    $"{when}: alerts in '{prefix}' on {day} for {department}: facts {Show(alerts)}, summaries {Show(summed)}");
                // Believed now, the facts are counted from the alerts' partial indexes; as recorded by an instant still to
                // come, through the general condition over every version. Both must say the same.
                var recordedLater = await AlertQueries.CountByTypeFromFactsAsync(session, Db, prefix, day, DateTimeOffset.UtcNow.AddDays(1), department, CancellationToken.None);
                Assert.True(alerts.OrderBy(a => a.Key).SequenceEqual(recordedLater.OrderBy(a => a.Key)),
                    $"{when}: alerts in '{prefix}' on {day} for {department}: believed now {Show(alerts)}, as recorded by tomorrow {Show(recordedLater)}");
            }
        }
    }

    private async Task Sql(string sql)
    {
        await using var command = Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static string Show(Dictionary<string, int> counts) => string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"));

    private async Task<decimal?> Figure(string jurisdiction, string key, DateOnly day)
    {
        var table = (await Client.Get($"/api/statistics/integrated-care?jurisdiction={jurisdiction}&asOf={day:yyyy-MM-dd}")).ShouldBe(HttpStatusCode.OK);
        return table["figures"].AsArray().Single(f => f!["key"]!.GetValue<string>() == key)!["value"]?.GetValue<decimal>();
    }

    [Fact]
    public async Task Stored_district_figures_sum_to_what_the_facts_say_and_follow_new_events()
    {
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        var homes = new List<Guid>();
        foreach (var district in new[] { "530111", "530111", "530102", "530302", "500112" })
        {
            var home = await Client.Register(Scenario.CareHome($"汇总{homes.Count}养老院", district));
            (await Client.Submit(home, PermitType.ElderlyCare, D(2019, 1, 1), D(2025, 6, 30))).ShouldBe(HttpStatusCode.Created);
            homes.Add(home);
        }
        var hospital = await Client.Register(Scenario.Hospital("汇总医院", "530102"));
        (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [homes[0], hospital], [PartnershipService.EmergencyCare],
            D(2020, 1, 1), D(2030, 12, 31)))).ShouldBe(HttpStatusCode.Created);
        // One joint inspection of homes in two districts of Kunming: one inspection, whichever districts are summed.
        var joint = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [homes[0], homes[2]], [Department.CivilAffairs],
            ["联合检查员"], D(2025, 3, 1)))).ShouldBe(HttpStatusCode.Created).Id;
        (await Client.Post($"/api/inspections/{joint}/findings", new RecordFinding(homes[2], FindingCategory.FireSafety, Severity.Major, 6,
            "消防通道堵塞", D(2025, 4, 1), D(2025, 3, 1)))).ShouldBe(HttpStatusCode.Created);

        await AssertSameAsFacts("at first");
        Assert.Equal(1, await Figure("5301", "inspections", D(2025, 3, 15)));
        Assert.Equal(2, await Figure("530111", "elderly-care-institutions", D(2025, 3, 15)));

        // Every figure of 530111 is stored now; new events there must not be answered from them.
        var late = await Client.Register(Scenario.CareHome("汇总新养老院", "530111"));
        (await Client.Submit(late, PermitType.ElderlyCare, D(2024, 1, 1))).ShouldBe(HttpStatusCode.Created);
        (await Client.Post($"/api/institutions/{homes[1]}/beds", new ChangeBeds(D(2025, 1, 1), new BedsInput(ElderlyCare: 40, Nursing: 5), "缩减")))
            .ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{homes[0]}/closure", new CloseInstitution(D(2025, 5, 1), "停业"))).ShouldBe(HttpStatusCode.OK);
        await AssertSameAsFacts("after new events in 530111");
        Assert.Equal(2, await Figure("530111", "elderly-care-institutions", D(2025, 6, 1)));
        Assert.Equal(3, await Figure("5301", "elderly-care-institutions", D(2025, 6, 1)));
    }

    [Fact]
    public async Task A_rebuild_of_the_standing_projection_leaves_the_stored_figures_equal_to_the_facts()
    {
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        var home = await Client.Register(Scenario.CareHome("重建养老院", "530111"));
        (await Client.Submit(home, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        await AssertSameAsFacts("before the rebuild");
        // Figures a former derivation left for a district where the rebuilt facts have none: the rebuild must drop them
        // (nothing in the replay touches that district again).
        await Sql($"insert into {StandingAreaVersion.Table} (id, data, mt_dotnet_type, version) "
                  + $"values ('530102', '{{\"id\": \"530102\"}}', '', nextval('{StandingAreaVersion.Sequence}'))");
        await MonitoringTableEndpoint.FromSummariesAsync(Db, "530102", D(2025, 7, 1), Staleness.None, CancellationToken.None);
        await Sql($"update {StandingAreaFigures.Table} set data = jsonb_set(data, '{{measures,0}}', '7') where jurisdiction = '530102'");
        Assert.Equal(8, (await MonitoringTableEndpoint.FromSummariesAsync(Db, "53", D(2025, 7, 1), Staleness.None, CancellationToken.None)).Values["elderly-care-institutions"].Value);
        await CareRegistry.Audit.ReplayCheck.RebuildAsync(Fixture.Store, Fixture.Host.Services, CancellationToken.None);
        await AssertSameAsFacts("after the rebuild");
        var other = await Client.Register(Scenario.CareHome("重建后养老院", "530111"));
        (await Client.Submit(other, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        await AssertSameAsFacts("after the rebuild and a new home");
        Assert.Equal(2, await Figure("53", "elderly-care-institutions", D(2025, 7, 1)));
    }

    private async Task<(decimal? Homes, DateTimeOffset? FiguresAsOf)> Homes(string jurisdiction, string? cacheControl = null)
    {
        var url = $"/api/statistics/integrated-care?jurisdiction={jurisdiction}";
        var table = (cacheControl is null ? await Client.Get(url) : await Client.GetCurrent(url, cacheControl)).ShouldBe(HttpStatusCode.OK);
        var homes = table["figures"].AsArray().Single(f => f!["key"]!.GetValue<string>() == "elderly-care-institutions")!["value"]?.GetValue<decimal>();
        return (homes, table.Body!["figuresAsOf"]?.GetValue<DateTimeOffset>());
    }

    private async Task<Guid> FiledHome(string name, string district)
    {
        var home = await Client.Register(Scenario.CareHome(name, district));
        (await Client.Submit(home, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        await Fixture.Projected();
        return home;
    }

    [Fact]
    public async Task A_read_under_writes_takes_young_stale_figures_says_when_they_were_computed_and_they_are_brought_up_to_date()
    {
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        await FiledHome("时效养老院一", "530111");
        var first = DateTimeOffset.UtcNow;
        Assert.Equal((1m, null), await Homes("5301"));

        // Written since: the stored figures of 530111 are stale but young, so the default read takes them and says so.
        await FiledHome("时效养老院二", "530111");
        var (homes, asOf) = await Homes("5301");
        Assert.Equal(1m, homes);
        Assert.NotNull(asOf);
        Assert.InRange(asOf!.Value, first.AddSeconds(-5), DateTimeOffset.UtcNow);

        // The read left the district to the refresher, which brings it up to date without another read computing it.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await Homes("5301") != (2m, null) && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        Assert.Equal((2m, null), await Homes("5301"));

        // A client that must see what it has just recorded asks for no stale figure; a header that does not parse asks nothing.
        await FiledHome("时效养老院三", "530111");
        Assert.Equal((3m, null), await Homes("5301", "no-cache"));
        await FiledHome("时效养老院四", "530111");
        Assert.Equal((4m, null), await Homes("5301", "max-age=0"));
        Assert.Equal(4m, (await Homes("5301", "max-age=banana")).Homes);

        // Stale figures older than the maximum age are computed in the read, whoever asks.
        await FiledHome("时效养老院五", "530111");
        await Sql($"update {StandingAreaFigures.Table} set data = jsonb_set(data, '{{computedAt}}', to_jsonb(now() - interval '10 minutes')) where jurisdiction = '530111'");
        Assert.Equal((5m, null), await Homes("5301"));
    }

    private async Task<long?> StoredVersion(string district, DateOnly day)
    {
        await using var command = Db.CreateCommand($"select version from {StandingAreaFigures.Table} where id = '{district}|{day:yyyy-MM-dd}'");
        return (long?)await command.ExecuteScalarAsync();
    }

    private async Task<long> CurrentVersion(string district)
    {
        await using var command = Db.CreateCommand($"select version from {StandingAreaVersion.Table} where id = '{district}'");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_refresher_keeps_the_districts_somebody_reads_current_and_rolls_them_over_to_a_new_day_without_a_reader()
    {
        var refresher = Fixture.Host.Services.GetRequiredService<AreaFiguresRefresher>();
        var today = Fixture.Host.Services.GetRequiredService<TimeProvider>().Today();
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        await FiledHome("常新养老院一", "530111");
        await FiledHome("常新养老院二", "530102");
        Assert.Equal((1m, null), await Homes("530111"));      // 530111 is read; 530102 is not

        // Written since, and no read: a round brings the district that is read up to date, and leaves the other alone.
        await FiledHome("常新养老院三", "530111");
        await FiledHome("常新养老院四", "530102");
        Assert.NotEqual(await CurrentVersion("530111"), await StoredVersion("530111", today));
        Assert.Equal(1, await refresher.RoundAsync(CancellationToken.None));
        Assert.Equal(await CurrentVersion("530111"), await StoredVersion("530111", today));
        Assert.Null(await StoredVersion("530102", today));
        Assert.Equal((2m, null), await Homes("530111"));
        Assert.Equal(0, await refresher.RoundAsync(CancellationToken.None));

        // Midnight: yesterday's figures are all a district has; the next round computes today's before anybody reads.
        await Sql($"update {StandingAreaFigures.Table} set id = jurisdiction || '|' || '{today.AddDays(-1):yyyy-MM-dd}', day = '{today.AddDays(-1):yyyy-MM-dd}', "
                  + $"data = jsonb_set(jsonb_set(data, '{{id}}', to_jsonb(jurisdiction || '|' || '{today.AddDays(-1):yyyy-MM-dd}')), '{{day}}', to_jsonb('{today.AddDays(-1):yyyy-MM-dd}'::text))");
        Assert.Null(await StoredVersion("530111", today));
        Assert.Equal(1, await refresher.RoundAsync(CancellationToken.None));
        Assert.Equal(await CurrentVersion("530111"), await StoredVersion("530111", today));
    }
}
