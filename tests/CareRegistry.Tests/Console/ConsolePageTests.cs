using System.Net;
using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Console;

// The console's read pages over real data: registered through the API, read back through the pages as an officer
// signed in on the development page would see them.
public sealed class ConsolePageTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task A_registered_institution_is_found_by_a_Chinese_substring_and_shown_in_Chinese()
    {
        var id = await Client.Register(Scenario.CareHome("官渡区康乐颐养院", "530111"));
        await Client.Register(Scenario.CareHome("西山区另一家养老院", "530112"));
        await Fixture.Projected();
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");

        var search = await browser.Get("/institutions?q=" + Uri.EscapeDataString("康乐颐"));
        search.ShouldShow("官渡区康乐颐养院", "养老机构", "民办", "官渡区", "下载 CSV").ShouldNotShow("西山区另一家养老院");
        Assert.Contains($"/institutions/{id}", search.Html);

        var page = await browser.Get($"/institutions/{id}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        page.ShouldShow("官渡区康乐颐养院", "基本信息", "统一社会信用代码", "养老机构", "民办", "官渡区 (530111)", "养老床位", "120",
            "许可与备案", "时间线", "机构登记", "近 12 个月记分", "阈值 12 分", "运营中");
    }

    [Fact]
    public async Task The_search_downloads_as_csv_through_the_console()
    {
        await Client.Register(Scenario.CareHome("下载测试养老院", "530111"));
        await Fixture.Projected();
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");
        var response = await browser.Raw("/download/institutions?q=" + Uri.EscapeDataString("下载测试") + "&format=csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("下载测试养老院", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_page_re_renders_as_of_a_date_and_as_recorded_at_an_instant()
    {
        var id = await Client.Register(Scenario.CareHome("时光养老院", "530111", establishedOn: new DateOnly(2015, 1, 1)));
        var beforeChange = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        (await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 300, Nursing: 20), "扩建")))
            .ShouldBe(HttpStatusCode.OK);
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");

        (await browser.Get($"/institutions/{id}")).ShouldShow("320", "床位变更", "床位变更为 320 张：扩建");
        (await browser.Get($"/institutions/{id}?asOf=2019-06-01")).ShouldShow("显示 2019-06-01 当日有效的状态", "120", "（晚于查看日期）").ShouldNotShow(">320<");
        var asRecorded = await browser.Get($"/institutions/{id}?recordedAsOf=" + Uri.EscapeDataString(beforeChange.ToString("O")));
        asRecorded.ShouldShow("120").ShouldNotShow("床位变更为 320 张");
        Assert.DoesNotContain(">320<", asRecorded.Html);
    }

    [Fact]
    public async Task A_retracted_entry_is_struck_through_with_who_retracted_it_and_why()
    {
        var id = await Client.Register(Scenario.CareHome("更正养老院", "530111"));
        var change = (await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 999), "录入错误")))
            .ShouldBe(HttpStatusCode.OK);
        (await Client.Post("/api/corrections", new RetractEntry(id, change.Version, "床位数录错"))).ShouldBe(HttpStatusCode.OK);
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");

        var page = await browser.Get($"/institutions/{id}");
        page.ShouldShow("已由 test-civil-affairs-officer（民政）于", "理由：床位数录错", "更正（撤回记录）");
        Assert.Contains("class=\"retracted\"", page.Html);
    }

    [Fact]
    public async Task An_institution_of_another_jurisdiction_is_refused_with_the_API_s_answer()
    {
        var id = await Client.Register(Scenario.CareHome("官渡区养老院", "530111"));
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("yubei-civil-affairs");
        var page = await browser.Get($"/institutions/{id}");
        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        page.ShouldShow("无权访问").ShouldNotShow("官渡区养老院");
    }

    [Fact]
    public async Task The_overview_shows_the_monitoring_table_drill_down_and_alerts_for_the_department()
    {
        var home = await Client.Register(Scenario.CareHome("总览养老院甲", "530111"));
        await Client.Register(Scenario.CareHome("总览养老院乙", "530112"));
        // The alert concerns care institutions only: an elderly-care permit in force and no partnership.
        var permit = (await Client.Submit(home, PermitType.ElderlyCare, new DateOnly(2020, 1, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await Client.Grant(home, permit, new DateOnly(2020, 2, 1))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        using var browser = new ConsoleBrowser(Fixture);
        var page = await browser.SignInPreset("km-civil-affairs");

        page.ShouldShow("昆明市 医养结合监测", "监测表", "养老机构（家）", "医养结合机构（家）", "每千名老年人养老床位", "下级区划", "官渡区", "西山区",
            "本部门（民政）需处理的预警", "养老机构未签约合作", "下载 Excel（.xlsx）");
        Assert.Contains("id=\"monitoring-table\"", page.Html);
        Assert.Contains("/console/assets/charts.js", page.Html);
        page.ShouldNotShow("elderly-care institutions");

        var district = await browser.Get("/?jurisdiction=530111");
        district.ShouldShow("官渡区 医养结合监测", "全国", "云南省", "昆明市").ShouldNotShow("下级区划");

        var csv = await browser.Raw("/download/table?jurisdiction=5301&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var xlsx = await browser.Raw("/download/table?jurisdiction=5301&format=xlsx");
        Assert.Equal(CareRegistry.Spreadsheets.Tabular.XlsxType, xlsx.Content.Headers.ContentType?.MediaType);

        var trend = await browser.Raw("/console/data/trend?jurisdiction=5301");
        Assert.Equal(HttpStatusCode.OK, trend.StatusCode);
        Assert.Contains("elderly-care-institutions", await trend.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_overview_says_when_its_figures_were_computed_while_changes_recorded_since_are_brought_in()
    {
        await Client.Register(Scenario.CareHome("时效总览养老院甲", "530111"));
        await Fixture.Projected();
        using var browser = new ConsoleBrowser(Fixture);
        var page = await browser.SignInPreset("km-civil-affairs");
        page.ShouldShow("昆明市 医养结合监测").ShouldNotShow("本页统计数字按");

        // Recorded since the figures were computed: the page shows them as they were, says when, and is current later.
        await Client.Register(Scenario.CareHome("时效总览养老院乙", "530111"));
        await Fixture.Projected();
        (await browser.Get("/")).ShouldShow("本页统计数字按", "(UTC+8)", "正在计入");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await browser.Get("/")).Html.Contains("本页统计数字按") && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        (await browser.Get("/")).ShouldNotShow("本页统计数字按");
    }

    [Fact]
    public async Task The_overview_refuses_a_jurisdiction_outside_the_caller_s()
    {
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");
        var page = await browser.Get("/?jurisdiction=500112");
        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        page.ShouldShow("无权访问");
    }

    [Fact]
    public async Task The_work_queue_lists_the_applications_pending_for_the_department()
    {
        var hospital = await Client.Register(Scenario.Hospital("待审批测试医院", "530111"));
        (await Client.Submit(hospital, PermitType.MedicalPractice, new DateOnly(2026, 1, 5), new DateOnly(2031, 1, 4))).ShouldBe(HttpStatusCode.Accepted);
        await Fixture.Projected();
        using var browser = new ConsoleBrowser(Fixture);

        await browser.SignInPreset("km-health");
        (await browser.Get("/queues")).ShouldShow("待审批的申请", "待审批测试医院", "医疗机构执业许可证", "本部门：卫健");

        using var civil = new ConsoleBrowser(Fixture);
        await civil.SignInPreset("km-civil-affairs");
        (await civil.Get("/queues")).ShouldShow("待审批的申请", "本部门：民政").ShouldNotShow("待审批测试医院");
    }

    [Fact]
    public async Task The_work_queue_lists_rectifications_and_expiring_permits_of_the_department_and_counts_alerts_by_type()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var home = await Client.Register(Scenario.CareHome("整改队列测试养老院", "530111"));
        var opened = (await Client.Post("/api/inspections", new CareRegistry.Inspections.OpenInspection(CareRegistry.Inspections.InspectionKind.Routine, [home],
            [Department.CivilAffairs], ["赵检查"], today.AddDays(-30)))).ShouldBe(HttpStatusCode.Created);
        var url = $"/api/inspections/{opened.Id}";
        async Task<Guid> Finding(string description, int dueInDays) =>
            (await Client.Post($"{url}/findings", new CareRegistry.Inspections.RecordFinding(home, CareRegistry.Inspections.FindingCategory.FireSafety,
                CareRegistry.Inspections.Severity.Minor, 1, description, today.AddDays(dueInDays), today.AddDays(-30))))
            .ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        await Finding("本周到期的灭火器检查", 3);
        await Finding("已经逾期的疏散标识", -10);
        var reported = await Finding("已报告待复核的消防通道", 20);
        await Finding("下月到期的应急照明", 30);
        (await Client.Post($"{url}/findings/{reported}/rectification", new CareRegistry.Inspections.ReportRectification(today.AddDays(-1), "已清理")))
            .ShouldBe(HttpStatusCode.OK);
        var hospital = await Client.Register(Scenario.Hospital("许可将到期测试医院", "530111"));
        var permit = (await Client.Submit(hospital, PermitType.MedicalPractice, today.AddYears(-5))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await Client.Grant(hospital, permit, today.AddYears(-5), today.AddDays(30))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();

        using var civil = new ConsoleBrowser(Fixture);
        await civil.SignInPreset("km-civil-affairs");
        var queues = await civil.Get("/queues");
        Assert.Equal(HttpStatusCode.OK, queues.Status);
        string Section(string heading) => queues.Text[queues.Text.IndexOf(heading, StringComparison.Ordinal)..];
        Assert.Contains("本周到期的灭火器检查", Section("本周到期的整改").Split("待复核的整改")[0]);
        Assert.DoesNotContain("下月到期的应急照明", queues.Text);
        Assert.Contains("已经逾期的疏散标识", Section("整改逾期").Split("本周到期的整改")[0]);
        Assert.Contains("已报告待复核的消防通道", Section("待复核的整改").Split("预警")[0]);
        queues.ShouldNotShow("许可将到期测试医院");
        (await civil.Get("/")).ShouldShow("整改逾期", "整改待复核");

        using var health = new ConsoleBrowser(Fixture);
        await health.SignInPreset("km-health");
        var theirs = await health.Get("/queues");
        theirs.ShouldShow("许可即将到期", "许可将到期测试医院").ShouldNotShow("本周到期的灭火器检查", "已经逾期的疏散标识", "已报告待复核的消防通道");
        (await health.Get("/")).ShouldShow("许可即将到期");
    }

    [Fact]
    public async Task The_audit_page_shows_the_feed_chain_and_verification_to_auditors_only()
    {
        var id = await Client.Register(Scenario.CareHome("审计养老院", "530111"));
        using var auditor = new ConsoleBrowser(Fixture);
        await auditor.SignInPreset("auditor");
        (await auditor.Get("/audit?verify=1")).ShouldShow("事件记录", "机构登记", "校验结果：完整", "摘要值");
        (await auditor.Get($"/audit?stream={id}")).ShouldShow("单条流的哈希链", "机构登记", "哈希");

        // Officers read the feed of their own jurisdiction (Kunming's care home, not Yubei's); verifying stays with auditors.
        var elsewhere = await Client.Register(Scenario.CareHome("渝北审计养老院", "500112"));
        using var officer = new ConsoleBrowser(Fixture);
        await officer.SignInPreset("km-civil-affairs");
        var feed = await officer.Get("/audit");
        Assert.Equal(HttpStatusCode.OK, feed.Status);
        Assert.Contains($"/audit?stream={id}", feed.Html);
        Assert.DoesNotContain($"/audit?stream={elsewhere}", feed.Html);
        (await officer.Get("/audit?verify=1")).ShouldShow("无权访问");
    }

    [Fact]
    public async Task After_switching_to_English_the_pages_speak_English()
    {
        var id = await Client.Register(Scenario.CareHome("英文养老院", "530111"));
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");
        await browser.Get("/culture?lang=en&back=%2F");
        (await browser.Get($"/institutions/{id}")).ShouldShow("Identity", "Elderly-care institution", "Private", "Timeline", "Institution registered")
            .ShouldNotShow("基本信息");
        (await browser.Get("/")).ShouldShow("Monitoring table", "Elderly-care institutions");
    }
}
