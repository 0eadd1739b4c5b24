using System.Net;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CareRegistry.Tests.Statistics;

// The work queues' lists read by the facts' deadline column: given findings with their deadlines, which the queue
// shows, in which order, for which department.
public sealed class WorkQueueTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));

    private async Task<(Guid Inspection, Func<string, int, Task<Guid>> Finding)> Inspect(Guid institution, Department department)
    {
        var opened = (await Client.Post("/api/inspections", new OpenInspection(InspectionKind.Routine, [institution], [department], ["赵检查"], Today.AddDays(-30))))
            .ShouldBe(HttpStatusCode.Created);
        return (opened.Id, async (description, dueInDays) =>
            (await Client.Post($"/api/inspections/{opened.Id}/findings", new RecordFinding(institution, FindingCategory.FireSafety, Severity.Minor, 1, description,
                Today.AddDays(dueInDays), Today.AddDays(-30)))).ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>());
    }

    [Fact]
    public async Task Due_this_week_lists_the_departments_open_findings_by_deadline_earliest_first()
    {
        var home = await Client.Register(Scenario.CareHome("队列排序养老院", "530111"));
        var (civil, finding) = await Inspect(home, Department.CivilAffairs);
        await finding("五天后到期", 5);
        await finding("两天后到期", 2);
        await finding("十天后到期", 10);
        var reported = await finding("三天后到期但已报告", 3);
        await finding("已逾期", -1);
        (await Client.Post($"/api/inspections/{civil}/findings/{reported}/rectification", new ReportRectification(Today.AddDays(-1), "已整改")))
            .ShouldBe(HttpStatusCode.OK);
        var (_, healthFinding) = await Inspect(home, Department.Health);
        await healthFinding("卫健一天后到期", 1);
        await Fixture.Projected();

        async Task<List<string>> Due(string prefix, string? department)
        {
            await using var session = Fixture.Store.QuerySession();
            var db = Fixture.Host.Services.GetRequiredService<NpgsqlDataSource>();
            return (await RectificationQueue.DueAsync(session, db, prefix, Today, Today.AddDays(7), department, 50, CancellationToken.None))
                .Select(q => q.Finding.Description).ToList();
        }

        Assert.Equal(["两天后到期", "五天后到期"], await Due("5301", Json.Wire(Department.CivilAffairs)));
        Assert.Equal(["卫健一天后到期"], await Due("530111", Json.Wire(Department.Health)));
        Assert.Equal(["卫健一天后到期", "两天后到期", "五天后到期"], await Due("", null));
        Assert.Empty(await Due("5303", null));
    }

    [Fact]
    public async Task A_findings_deadline_is_a_column_of_its_fact_and_moves_the_overdue_alerts_order()
    {
        var home = await Client.Register(Scenario.CareHome("逾期排序养老院", "530111"));
        var (_, finding) = await Inspect(home, Department.CivilAffairs);
        var later = await finding("三天前到期", -3);
        var earlier = await finding("十天前到期", -10);
        await Fixture.Projected();

        // The finding facts keep their deadline in due_on (the queue reads it from the index, not the JSON).
        var db = Fixture.Host.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var command = db.CreateCommand($"select subject, due_on from {StandingSql.Table} where fact = 'finding' and recorded_to is null and institution_id = $1"))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = home });
            var due = new Dictionary<Guid, DateOnly>();
            await using var row = await command.ExecuteReaderAsync();
            while (await row.ReadAsync()) due[row.GetGuid(0)] = row.GetFieldValue<DateOnly>(1);
            Assert.Equal(Today.AddDays(-3), due[later]);
            Assert.Equal(Today.AddDays(-10), due[earlier]);
        }

        // The overdue alerts, the earliest deadline first, each with its deadline read back from the column.
        await using var session = Fixture.Store.QuerySession();
        var alerts = (await AlertQueries.FirstOfEachTypeAsync(session, "5301", Today, Json.Wire(Department.CivilAffairs), 50, [AlertTypes.RectificationOverdue],
            CancellationToken.None)).ToList();
        Assert.Equal([earlier, later], alerts.Select(a => a.FindingId!.Value));
        Assert.Equal([Today.AddDays(-10), Today.AddDays(-3)], alerts.Select(a => a.DueOn!.Value));
        Assert.Single(await AlertQueries.FirstOfEachTypeAsync(session, "5301", Today, Json.Wire(Department.CivilAffairs), 1, [AlertTypes.RectificationOverdue],
            CancellationToken.None));
    }

    // The queue reads open-ended alerts and alerts with an end from two indexes (Alerts.FirstOfEachTypeAsync); what it
    // shows must be what ranking every alert in force would show: licences expiring within the announcement window (an
    // alert that ends at the expiry), beyond it (an alert that begins later) and already (an alert without an end),
    // beside overdue findings, for every department and page size.
    [Fact]
    public async Task The_first_alerts_of_each_type_are_those_in_force_today_ranked_by_deadline()
    {
        async Task<Guid> Licensed(string name, int expiresInDays)
        {
            var hospital = await Client.Register(Scenario.Hospital(name, "530113"));
            var licence = (await Client.Submit(hospital, CareRegistry.Permits.PermitType.MedicalPractice, Today.AddDays(-900))).ShouldBe(HttpStatusCode.Accepted).Id;
            (await Client.Grant(hospital, licence, Today.AddDays(-890), Today.AddDays(expiresInDays))).ShouldBe(HttpStatusCode.OK);
            return hospital;
        }
        var soon = await Licensed("队列将到期医院", 30);
        var later = await Licensed("队列远期到期医院", 200);
        var expired = await Licensed("队列已过期医院", -10);
        var home = await Client.Register(Scenario.CareHome("队列逾期养老院", "530113"));
        var (_, finding) = await Inspect(home, Department.CivilAffairs);
        await finding("五天前到期", -5);
        await finding("两天前到期", -2);
        await Fixture.Projected();

        await using var session = Fixture.Store.QuerySession();
        var db = Fixture.Host.Services.GetRequiredService<NpgsqlDataSource>();
        foreach (var department in new[] { null, Json.Wire(Department.Health), Json.Wire(Department.CivilAffairs) })
        foreach (var take in new[] { 1, 2, 50 })
        {
            var queue = (await AlertQueries.FirstOfEachTypeAsync(session, "5301", Today, department, take, null, CancellationToken.None))
                .Where(a => a.Type != AlertTypes.DemeritThreshold).ToList();
            Assert.Equal(await RankedInForce(db, "5301", department, take), queue.Select(a => a.Id).ToList());
            if (take < 50) continue;
            var shown = queue.Select(a => (a.InstitutionId, a.Type)).ToHashSet();
            Assert.Equal(department != Json.Wire(Department.CivilAffairs), shown.Contains((soon, AlertTypes.PermitExpiring)));
            Assert.Equal(department != Json.Wire(Department.CivilAffairs), shown.Contains((expired, AlertTypes.PermitExpired)));
            Assert.DoesNotContain(shown, a => a.InstitutionId == later);
            Assert.Equal(department != Json.Wire(Department.Health), shown.Contains((home, AlertTypes.RectificationOverdue)));
        }
    }

    // The reference: every alert fact in force today under the prefix, ranked within its type by deadline and id.
    private static async Task<List<Guid>> RankedInForce(NpgsqlDataSource db, string prefix, string? department, int take)
    {
        await using var command = db.CreateCommand($"""
            select id from (select id, label, due_on, row_number() over (partition by label order by due_on, id) as n
              from {StandingSql.Table} where fact = 'alert' and recorded_to is null and valid_from <= $1 and (valid_to is null or valid_to > $1)
              and jurisdiction like $2 || '%' and ($3::text is null or department = $3)) ranked
            where n <= $4 order by label, due_on, id
            """);
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = Today });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)department ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = take });
        var ids = new List<Guid>();
        await using var row = await command.ExecuteReaderAsync();
        while (await row.ReadAsync()) ids.Add(row.GetGuid(0));
        return ids;
    }
}
