using System.Text.Json;
using CareRegistry.Common;
using CareRegistry.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CareRegistry.Tests.Browser;

// What a browser sees of the registry today: the API reference, and the API's problems in the page's language.
[Collection(BrowserCollection.Name), Trait("Category", "Browser")]
public class ApiPagesTests(BrowserFixture browser)
{
    [BrowserTheory]
    [InlineData("zh-CN")]
    [InlineData("en")]
    public async Task The_api_reference_loads_with_every_operation(string language)
    {
        await using var session = await browser.NewSessionAsync(language);
        var page = session.Page;
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        var answer = await page.GotoAsync(browser.Url("/docs"));
        Assert.Equal(200, answer!.Status);
        // Scalar (4.9 MB of script, served by the registry itself) renders the document it fetched from
        // /openapi/v1.json: the operations by tag, and the document's own introduction.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "CareRegistry", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("The shared register of China's integrated medical and elderly care").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Rebuild the projections").First).ToBeVisibleAsync();
        foreach (var tag in new[] { "Institutions", "Permits", "Inspections", "Partnerships", "Statistics" })
            await Assertions.Expect(page.GetByText(tag, new() { Exact = true }).First).ToBeVisibleAsync();
        Assert.Empty(errors);
        // Scalar's own page: its theme's contrast and its <html> without lang are Scalar's (Scalar.AspNetCore 2.19); any
        // other serious or critical violation fails.
        await browser.AssertAccessibleAsync(page, tolerated: ["color-contrast", "html-has-lang"]);
        await browser.ScreenshotAsync(session, "api-reference");
    }

    [BrowserTheory]
    [InlineData("zh-CN", "zh-CN", "请求无效", "为必填项")]
    [InlineData("en", "en", "The request is invalid", "is required")]
    public async Task A_problem_fetched_by_a_page_is_in_the_page_language(string language, string contentLanguage, string title, string required)
    {
        await using var session = await browser.NewSessionAsync(language);
        var page = session.Page;
        await page.GotoAsync(browser.Url("/health/live"));
        var token = browser.Tokens.For("browser-officer", Department.CivilAffairs, Role.Officer, "5301");

        // The page's own fetch: Chromium sends the context's language as Accept-Language, as a console page's would.
        var answer = await page.EvaluateAsync<JsonElement>("""
            async token => {
              const r = await fetch('/api/institutions', {
                method: 'POST', headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token },
                body: JSON.stringify({ name: '', jurisdiction: '530111' }) });
              return { status: r.status, language: r.headers.get('content-language'), type: r.headers.get('content-type'), body: await r.json() };
            }
            """, token);

        Assert.Equal(400, answer.GetProperty("status").GetInt32());
        Assert.Equal(contentLanguage, answer.GetProperty("language").GetString());
        Assert.StartsWith("application/problem+json", answer.GetProperty("type").GetString());
        var body = answer.GetProperty("body");
        Assert.Equal(title, body.GetProperty("title").GetString());
        // Field names stay as the API names them; the message is in the page's language.
        Assert.Equal(required, body.GetProperty("errors").GetProperty("name")[0].GetString());
    }

    [BrowserFact]
    public async Task A_page_nobody_serves_answers_in_chinese_by_default()
    {
        // A context that asks for no language at all: outside the API the registry's default is Chinese.
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR" });
        try
        {
            var page = await context.NewPageAsync();
            var answer = await page.GotoAsync(browser.Url("/no-such-page"));
            Assert.Equal(404, answer!.Status);
            Assert.Equal("zh-CN", await answer.HeaderValueAsync("content-language"));
            var problem = JsonDocument.Parse(await answer.TextAsync()).RootElement;
            Assert.Equal("未找到", problem.GetProperty("title").GetString());
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [BrowserFact]
    public async Task An_institution_registered_through_the_api_is_read_by_the_browser()
    {
        var id = await browser.Client.Register(Scenario.CareHome("浏览器测试养老院"));
        await using var session = await browser.NewSessionAsync("zh-CN");
        var token = browser.Tokens.For("browser-auditor", null, Role.Auditor);
        var answer = await session.Page.APIRequest.GetAsync(browser.Url($"/api/institutions/{id}"),
            new APIRequestContextOptions { Headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" } });
        Assert.Equal(200, answer.Status);
        Assert.Equal("浏览器测试养老院", JsonDocument.Parse(await answer.TextAsync()).RootElement.GetProperty("name").GetString());
    }
}
