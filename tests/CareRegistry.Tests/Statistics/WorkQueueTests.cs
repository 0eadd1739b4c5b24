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
}
