using System.Net;
using System.Text.RegularExpressions;
using CareRegistry.Designations;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Console;

// The dated facts recorded through the API (designation, staff, service, rating, occupancy) read back on the
// institution page in Chinese, as of the page's date; the search offers their filters; the forms record them.
public sealed partial class ConsoleNewFactsTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    [Fact]
    public async Task The_institution_page_shows_a_rating_staff_service_designation_and_occupancy_in_Chinese()
    {
        var home = await Client.Register(Scenario.CareHome("新事实颐养院", "530111"));
        (await Client.Post($"/api/institutions/{home}/designations", new RecordDesignation(Programme.IntegratedCarePilot, DesignationLevel.Provincial,
            "云南省卫生健康委", D(2021, 1, 1), null, "云卫老龄发〔2021〕1号"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{home}/staff", new ReportStaff(1, 2, 20, 12, D(2022, 1, 1), "2022年报表"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{home}/services", new RecordService(CareService.Hospice, true, D(2022, 3, 1), "安宁疗护试点备案"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{home}/ratings", new RecordRating(RatingScheme.CareHomeGrade, 3, null, D(2022, 6, 1), D(2025, 5, 31), "养老机构等级评定"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{home}/occupancy", new ReportOccupancy(90, D(2022, 6, 30), "二季度报表"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");

        var page = (await browser.Get($"/institutions/{home}?asOf=2023-01-01")).ShouldShow(
            "项目认定", "省级医养结合试点，云南省卫生健康委认定", "自 2021-01-01 起",
            "等级评定", "养老机构等级：三级", "有效期至 2025-05-31",
            "服务项目", "安宁疗护",
            "人员配置", "医生 1 名，护士 2 名，养老护理员 20 名（持证 12 名）",
            "入住人数", "入住 90 人",
            "养老机构等级：三级，自 2022-06-01 起至 2025-05-31：养老机构等级评定", "报告人员配置", "人员配置自 2022-01-01 起", "自 2022-03-01 起提供安宁疗护", "报告入住人数");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        // One doctor short of the pilot rule: the alert and its shortfall are shown with the staff.
        page.ShouldShow("医养结合试点医护人员不足", "缺医生 1 名、护士 0 名");

        // Before the facts, the page says there are none; after the rating lapsed, it is gone.
        (await browser.Get($"/institutions/{home}?asOf=2020-06-01")).ShouldShow("无有效的项目认定。", "未报告人员配置。", "未登记服务项目。", "无有效的等级评定。", "未报告入住人数。");
        (await browser.Get($"/institutions/{home}?asOf=2025-06-01")).ShouldShow("无有效的等级评定。").ShouldNotShow("有效期至 2025-05-31");

        // A hospital's grade as health writes it: 三级甲等.
        var hospital = await Client.Register(Scenario.Hospital("新事实人民医院", "530111"));
        (await Client.Post($"/api/institutions/{hospital}/ratings", new RecordRating(RatingScheme.HospitalGrade, 3, HospitalClass.A, D(2022, 1, 1), null, "医院等级评审"))).ShouldBe(HttpStatusCode.OK);
        (await browser.Get($"/institutions/{hospital}?asOf=2023-01-01")).ShouldShow("医院等级：三级甲等");
    }

    [Fact]
    public async Task The_search_filters_by_designation_and_service_and_lists_the_new_kinds()
    {
        var hospice = await Client.Register(Scenario.CareHome("筛选安宁养老院", "530111"));
        await Client.Register(Scenario.CareHome("筛选普通养老院", "530111"));
        (await Client.Post($"/api/institutions/{hospice}/services", new RecordService(CareService.Hospice, true, D(2022, 3, 1), "备案"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{hospice}/designations", new RecordDesignation(Programme.IntegratedCareDemonstration, DesignationLevel.National,
            "国家卫生健康委", D(2021, 1, 1), null, "示范单位名单"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");

        var q = "q=" + Uri.EscapeDataString("筛选");
        (await browser.Get($"/institutions?{q}&service=hospice")).ShouldShow("筛选安宁养老院").ShouldNotShow("筛选普通养老院");
        (await browser.Get($"/institutions?{q}&designation=integrated-care-demonstration")).ShouldShow("筛选安宁养老院").ShouldNotShow("筛选普通养老院");
        (await browser.Get($"/institutions?{q}&careInstitution=true")).ShouldNotShow("筛选安宁养老院", "筛选普通养老院");
        (await browser.Get("/institutions")).ShouldShow("社区养老服务站", "日间照料中心", "农村幸福院", "医养结合示范单位", "认知症照护", "养老机构（持有效养老许可或备案）");
    }

    [Fact]
    public async Task The_forms_report_staff_and_occupancy_record_a_service_and_a_rating_each_by_its_department()
    {
        var home = await Client.Register(Scenario.CareHome("表单新事实养老院", "530111"));
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd");
        using var health = new ConsoleBrowser(Fixture);
        await health.SignInPreset("km-health");
        var staff = await health.Get($"/forms/report-staff?institution={home}");
        staff.ShouldShow("报告人员配置", "医生（名）", "其中持证养老护理员（名）", "数据来源");
        (await health.Act(staff, ("doctors", "2"), ("nurses", "3"), ("careWorkers", "15"), ("certifiedCareWorkers", "9"), ("effectiveOn", today), ("source", "表单报表")))
            .ShouldShow("已办理：报告人员配置", "医生 2 名，护士 3 名，养老护理员 15 名（持证 9 名）");
        var service = await health.Get($"/forms/record-service?institution={home}");
        service.ShouldShow("登记服务项目", "家庭病床", "自生效日期起提供");
        (await health.Act(service, ("service", "home-sickbeds"), ("offered", "true"), ("effectiveOn", today), ("basis", "家庭病床备案")))
            .ShouldShow("已办理：登记服务项目", "家庭病床");
        // Refusals land next to their fields: more certified than care workers.
        var refused = await health.Act(await health.Get($"/forms/report-staff?institution={home}"),
            ("doctors", "2"), ("nurses", "2"), ("careWorkers", "5"), ("certifiedCareWorkers", "6"), ("effectiveOn", today), ("source", "报表"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("id=\"certifiedCareWorkers-error\"", refused.Html);

        using var civil = new ConsoleBrowser(Fixture);
        await civil.SignInPreset("km-civil-affairs");
        (await civil.Act(await civil.Get($"/forms/report-occupancy?institution={home}"), ("residents", "77"), ("effectiveOn", today), ("source", "季度报表")))
            .ShouldShow("已办理：报告入住人数", "入住 77 人");
        var rating = await civil.Get($"/forms/record-rating?institution={home}");
        rating.ShouldShow("记录等级评定", "养老机构等级", "养老机构 1–5 级");
        (await civil.Act(rating, ("scheme", "care-home-grade"), ("level", "4"), ("effectiveOn", today), ("basis", "等级评定结果")))
            .ShouldShow("已办理：记录等级评定", "养老机构等级：四级");
    }
}
