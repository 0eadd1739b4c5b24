using System.Net;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Console;

public sealed class ConsoleSignInTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task An_unauthenticated_visit_is_sent_to_the_sign_in_page()
    {
        using var browser = new ConsoleBrowser(Fixture);
        var response = await browser.Raw("/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location!.PathAndQuery);
        (await browser.Get("/")).ShouldShow("登录", "昆明市民政局 工作人员");
    }

    [Fact]
    public async Task A_preset_officer_signs_in_and_sees_the_console_in_Chinese()
    {
        using var browser = new ConsoleBrowser(Fixture);
        var page = await browser.SignInPreset("km-civil-affairs");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        page.ShouldShow("总览", "km-mzj-officer", "昆明市", "民政", "退出登录");
        Assert.Contains("<html lang=\"zh-CN\"", page.Html);
    }

    [Fact]
    public async Task Claims_outside_the_vocabulary_make_no_session()
    {
        using var browser = new ConsoleBrowser(Fixture);
        var page = await browser.SignIn("someone", department: null, role: "officer", jurisdiction: "5301");
        page.ShouldShow("无法登录");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Raw("/")).StatusCode);
    }

    [Fact]
    public async Task The_language_switch_sets_the_culture_cookie_and_English_follows()
    {
        using var browser = new ConsoleBrowser(Fixture);
        await browser.SignInPreset("km-civil-affairs");
        var page = await browser.Get("/culture?lang=en&back=%2F");
        page.ShouldShow("Overview", "Civil affairs", "Sign out");
        Assert.Contains("<html lang=\"en\"", page.Html);
        (await browser.Get("/culture?lang=zh-CN&back=%2F")).ShouldShow("总览");
    }

    [Fact]
    public async Task English_is_the_default_for_a_browser_that_asks_for_it()
    {
        using var browser = new ConsoleBrowser(Fixture, acceptLanguage: "en-GB,en;q=0.8");
        (await browser.Get("/signin")).ShouldShow("Sign in", "Preset officers");
    }

    [Fact]
    public async Task Signing_out_needs_the_form_token_and_ends_the_session()
    {
        using var browser = new ConsoleBrowser(Fixture);
        var page = await browser.SignInPreset("km-civil-affairs");
        var signedOut = await browser.Submit(page, "", new Dictionary<string, string>(), action: "/signout");
        signedOut.ShouldShow("常用账户");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Raw("/")).StatusCode);
    }
}
