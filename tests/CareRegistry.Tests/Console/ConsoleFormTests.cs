using System.Net;
using System.Text.RegularExpressions;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Console;

// The console's forms without JavaScript: each posts through the API's own endpoint with its Idempotency-Key and
// If-Match, lands on the page it concerns with a confirmation, and shows the API's refusals (403, 409, 400) in Chinese
// next to the fields.
public sealed partial class ConsoleFormTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static Dictionary<string, string> Form(params (string Key, string Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);


    [Fact]
    public async Task An_officer_registers_an_institution_and_lands_on_its_page_with_a_confirmation()
    {
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");
        var form = await browser.Get("/forms/register");
        form.ShouldShow("登记机构", "机构名称", "统一社会信用代码", "养老床位");
        var done = await browser.Act(form, ("name", "表单登记养老院"), ("uscc", Scenario.NewUscc("530111")), ("kind", "elderly-care"),
            ("ownership", "private"), ("jurisdiction", "530111"), ("address", "昆明市官渡区测试路 1 号"), ("beds.elderlyCare", "80"));
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.Matches("/institutions/[0-9a-f-]{36}", done.Address.AbsolutePath);
        done.ShouldShow("已办理：登记机构", "表单登记养老院", "80");
    }

    [Fact]
    public async Task A_refused_registration_keeps_the_values_and_shows_the_API_messages_in_Chinese_next_to_the_fields()
    {
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");
        var form = await browser.Get("/forms/register");
        var refused = await browser.Act(form, ("name", ""), ("uscc", "123"), ("kind", "elderly-care"), ("ownership", "private"),
            ("jurisdiction", "530111"), ("address", "保留的地址"), ("beds.elderlyCare", "10"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("id=\"name-error\"", refused.Html);
        Assert.Contains("id=\"uscc-error\"", refused.Html);
        refused.ShouldShow("请求有误", "为必填项");
        Assert.Contains("保留的地址", refused.Html);
        // A value of the wrong type is the API's refusal too, next to its field, and stays as typed.
        var typed = await browser.Act(refused, ("name", "某养老院"), ("uscc", Scenario.NewUscc("530111")), ("kind", "elderly-care"),
            ("ownership", "private"), ("jurisdiction", "530111"), ("address", "保留的地址"), ("beds.medical", "很多"));
        Assert.Equal(HttpStatusCode.BadRequest, typed.Status);
        Assert.Contains("id=\"beds.medical-error\"", typed.Html);
        Assert.Contains("value=\"很多\"", typed.Html);
        typed.ShouldShow("必须是整数");
        // A new key for the corrected form, so the API does not answer 422 for a reused key.
        Assert.NotEqual(ConsoleBrowser.FormFields(form)["_key"], ConsoleBrowser.FormFields(refused)["_key"]);
    }

    [Fact]
    public async Task A_permit_form_says_which_regime_applies_a_second_submission_is_a_409_and_a_suspension_needs_a_reason()
    {
        var id = await Client.Register(Scenario.CareHome("制度说明养老院", "530111"));
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");
        var form = await browser.Get($"/forms/submit-permit?institution={id}&type=elderly-care");
        form.ShouldShow("申报许可或备案", "养老机构备案适用", "适用的制度");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd");
        var done = await browser.Act(form, ("type", "elderly-care"), ("effectiveOn", today));
        Assert.Equal(HttpStatusCode.OK, done.Status);
        done.ShouldShow("已办理：申报许可或备案");

        var again = await browser.Act(await browser.Get($"/forms/submit-permit?institution={id}"), ("type", "elderly-care"), ("effectiveOn", today));
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        again.ShouldShow("已持有");

        var permit = (await Client.Get($"/api/institutions/{id}")).Body!["permits"]![0]!["id"]!.ToString();
        var suspend = await browser.Get($"/forms/suspend?institution={id}&permit={permit}");
        var refused = await browser.Act(suspend, ("effectiveOn", today), ("reason", ""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("id=\"reason-error\"", refused.Html);
        refused.ShouldShow("为必填项");
    }

    [Fact]
    public async Task An_officer_outside_the_department_is_refused_403_and_a_double_click_records_once()
    {
        var id = await Client.Register(Scenario.CareHome("重复提交养老院", "530111"));
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-health");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd");
        var form = await browser.Get($"/forms/submit-permit?institution={id}");
        var refused = await browser.Act(form, ("type", "elderly-care"), ("effectiveOn", today));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        refused.ShouldShow("无权");

        using var officer = new ConsoleBrowser(Fixture);
        await officer.SignInPreset("km-civil-affairs");
        var page = await officer.Get($"/forms/submit-permit?institution={id}");
        var first = await officer.Act(page, ("type", "elderly-care"), ("effectiveOn", today));
        var second = await officer.Act(page, ("type", "elderly-care"), ("effectiveOn", today));
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        second.ShouldShow("已办理");
        Assert.Single((await Client.Get($"/api/institutions/{id}")).Body!["permits"]!.AsArray());
    }

    [Fact]
    public async Task An_inspector_opens_an_inspection_records_a_finding_and_the_rectification_is_reported_and_verified()
    {
        var id = await Client.Register(Scenario.CareHome("检查表单养老院", "530112"));
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignIn("xs-mzj-inspector", "civil-affairs", "inspector", "530112");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var open = await browser.Get($"/forms/open-inspection?institution={id}");
        var inspection = await browser.Act(open, ("kind", "routine"), ("openedOn", today.ToString("yyyy-MM-dd")),
            ("institutionIds", id.ToString()), ("departments", "civil-affairs"), ("inspectors", "xs-mzj-inspector"));
        Assert.Equal(HttpStatusCode.OK, inspection.Status);
        inspection.ShouldShow("已办理：开展检查", "日常检查", "检查表单养老院");
        var inspectionId = Regex.Match(inspection.Address.AbsolutePath, "/inspections/([0-9a-f-]{36})").Groups[1].Value;

        var finding = await browser.Act(await browser.Get($"/forms/record-finding?inspection={inspectionId}"), ("institutionId", id.ToString()),
            ("category", "fire-safety"), ("severity", "major"), ("demeritPoints", "3"), ("description", "消防通道堵塞"),
            ("rectificationDue", today.AddDays(10).ToString("yyyy-MM-dd")));
        Assert.Equal(HttpStatusCode.OK, finding.Status);
        finding.ShouldShow("已办理：记录检查发现", "消防通道堵塞", "消防安全", "报告整改");
        var findingId = Regex.Match(finding.Html, "finding=([0-9a-f-]{36})").Groups[1].Value;

        var reported = await browser.Act(await browser.Get($"/forms/rectification?inspection={inspectionId}&finding={findingId}"),
            ("reportedOn", today.ToString("yyyy-MM-dd")), ("note", "已清理通道"));
        reported.ShouldShow("已办理：报告整改", "整改复核");
        var verified = await browser.Act(await browser.Get($"/forms/verify?inspection={inspectionId}&finding={findingId}"),
            ("verifiedOn", today.ToString("yyyy-MM-dd")), ("outcome", "accepted"));
        verified.ShouldShow("已办理：整改复核", "整改已通过复核");
    }

    [Fact]
    public async Task A_stale_form_is_refused_412_and_a_dispute_is_filed_and_decided()
    {
        var id = await Client.Register(Scenario.CareHome("异议表单养老院", "530112"));
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignIn("xs-mzj-inspector", "civil-affairs", "inspector", "530112");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd");
        var inspection = await browser.Act(await browser.Get($"/forms/open-inspection?institution={id}"), ("kind", "spot-check"), ("openedOn", today),
            ("institutionIds", id.ToString()), ("departments", "civil-affairs"), ("inspectors", "xs-mzj-inspector"));
        var inspectionId = Regex.Match(inspection.Address.AbsolutePath, "/inspections/([0-9a-f-]{36})").Groups[1].Value;
        var stale = await browser.Get($"/forms/record-finding?inspection={inspectionId}");
        var finding = await browser.Act(await browser.Get($"/forms/record-finding?inspection={inspectionId}"), ("institutionId", id.ToString()),
            ("category", "hygiene"), ("severity", "minor"), ("demeritPoints", "1"), ("description", "餐具消毒记录缺失"));
        finding.ShouldShow("餐具消毒记录缺失");
        var refused = await browser.Act(stale, ("institutionId", id.ToString()), ("category", "hygiene"), ("severity", "minor"),
            ("demeritPoints", "1"), ("description", "另一条"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.Status);

        var findingId = Regex.Match(finding.Html, "finding=([0-9a-f-]{36})").Groups[1].Value;
        var disputed = await browser.Act(await browser.Get($"/forms/dispute?inspection={inspectionId}&finding={findingId}"),
            ("filedOn", today), ("grounds", "记录在另一本台账中"));
        disputed.ShouldShow("已办理：提出异议", "异议处理决定");
        // The decision is an officer's: the inspector is refused (403, in Chinese), the district's officer decides.
        var form = await browser.Get($"/forms/decide-dispute?inspection={inspectionId}&finding={findingId}");
        var forbidden = await browser.Act(form, ("outcome", "overturned"), ("basis", "台账核实"), ("decidedOn", today));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        forbidden.ShouldShow("无权访问", "允许的角色");
        using var officer = new ConsoleBrowser(Fixture);
        await officer.SignIn("xs-mzj-officer", "civil-affairs", "officer", "530112");
        var decided = await officer.Act(await officer.Get($"/forms/decide-dispute?inspection={inspectionId}&finding={findingId}"),
            ("outcome", "overturned"), ("basis", "台账核实"), ("decidedOn", today));
        decided.ShouldShow("已办理：异议处理决定", "撤销");
    }
}
