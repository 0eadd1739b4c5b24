using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Localization;
using CareRegistry.Tests.Contract;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Localization;

// The API's problems in the language asked for (Accept-Language, the culture cookie), English by default on /api.
public class ProblemLanguageTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private sealed record Problem(HttpStatusCode Status, JsonObject Body, string? ContentLanguage)
    {
        public string Title => Body["title"]!.GetValue<string>();
        public string Detail => Body["detail"]!.GetValue<string>();
        public string Error(string field) => Body["errors"]![field]![0]!.GetValue<string>();
    }

    private async Task<Problem> Send(HttpMethod method, string url, string? language, object? body = null, string? bearer = null,
        string? ifMatch = null, string? cookie = null)
    {
        using var client = Fixture.NewClient(new RightOfficerHandler(Fixture.Tokens));
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body, Json.Options), Encoding.UTF8, "application/json");
        if (language is not null) request.Headers.AcceptLanguage.ParseAdd(language);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{(int)response.StatusCode}: {text}");
        return new Problem(response.StatusCode, JsonNode.Parse(text)!.AsObject(), response.Content.Headers.ContentLanguage.SingleOrDefault());
    }

    private static RegisterInstitution Invalid => Scenario.CareHome() with { Name = "", Jurisdiction = "5301" };

    [Theory]
    [InlineData("zh-CN", "zh-CN", "请求无效", "为必填项", "必须是 6 位行政区划代码")]
    [InlineData("en", "en", "The request is invalid", "is required", "must be a 6-digit administrative division code")]
    public async Task A_400_names_the_fields_in_the_language_asked_for(string asked, string answered, string title, string name, string jurisdiction)
    {
        var problem = await Send(HttpMethod.Post, "/api/institutions", asked, Invalid);
        Assert.Equal(HttpStatusCode.BadRequest, problem.Status);
        Assert.Equal(answered, problem.ContentLanguage);
        Assert.Equal(title, problem.Title);
        // The field names are the API's, in every language.
        Assert.Equal(name, problem.Error("name"));
        Assert.Equal(jurisdiction, problem.Error("jurisdiction"));
    }

    [Theory]
    [InlineData("zh-CN", "无权操作", "角色 auditor 不得调用 POST /api/institutions（允许的角色：officer）")]
    [InlineData("en", "Not allowed", "the auditor role may not call POST /api/institutions (allowed: officer)")]
    public async Task A_403_says_why_in_the_language_asked_for(string asked, string title, string detail)
    {
        var auditor = Fixture.Tokens.For("an-auditor", null, Role.Auditor);
        var problem = await Send(HttpMethod.Post, "/api/institutions", asked, Scenario.CareHome(), bearer: auditor);
        Assert.Equal(HttpStatusCode.Forbidden, problem.Status);
        Assert.Equal(asked, problem.ContentLanguage);
        Assert.Equal(title, problem.Title);
        Assert.Equal(detail, problem.Detail);
    }

    [Theory]
    [InlineData("zh-CN", "未找到", "不存在机构 {0}")]
    [InlineData("en", "Not found", "no institution {0}")]
    public async Task A_404_in_the_language_asked_for(string asked, string title, string detail)
    {
        var id = Guid.NewGuid();
        var problem = await Send(HttpMethod.Get, $"/api/institutions/{id}", asked);
        Assert.Equal(HttpStatusCode.NotFound, problem.Status);
        Assert.Equal(asked, problem.ContentLanguage);
        Assert.Equal(title, problem.Title);
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, detail, id), problem.Detail);
    }

    [Theory]
    [InlineData("zh-CN", "未找到", "不存在标识为 {0} 的机构")]
    [InlineData("en", "Not Found", "Unknown Institution with identity {0}")]
    public async Task A_404_for_a_command_on_nothing_in_the_language_asked_for(string asked, string title, string detail)
    {
        // Wolverine answers this one itself (the aggregate the route names does not exist); its words are put into Chinese.
        var id = Guid.NewGuid();
        var problem = await Send(HttpMethod.Post, $"/api/institutions/{id}/beds", asked,
            new ChangeBeds(new DateOnly(2024, 1, 1), new BedsInput(ElderlyCare: 10), "扩建"));
        Assert.Equal(HttpStatusCode.NotFound, problem.Status);
        Assert.Equal(asked, problem.ContentLanguage);
        Assert.Equal(title, problem.Title);
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, detail, id), problem.Detail);
    }

    [Theory]
    [InlineData("zh-CN", "该命令与登记簿的当前状态冲突", "统一社会信用代码 {0} 已登记于机构 {1}")]
    [InlineData("en", "The command conflicts with the registry's state", "USCC {0} is already registered to institution {1}")]
    public async Task A_409_in_the_language_asked_for(string asked, string title, string detail)
    {
        var first = Scenario.CareHome();
        var id = await Client.Register(first);
        var problem = await Send(HttpMethod.Post, "/api/institutions", asked, Scenario.CareHome("另一家养老院", uscc: first.Uscc));
        Assert.Equal(HttpStatusCode.Conflict, problem.Status);
        Assert.Equal(asked, problem.ContentLanguage);
        Assert.Equal(title, problem.Title);
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, detail, first.Uscc, id), problem.Detail);
    }

    [Theory]
    [InlineData("zh-CN", "记录已被更新", "If-Match 期望版本 7，但记录当前为版本 1；未写入任何内容。")]
    [InlineData("en", "The stream has moved on", "If-Match expected version 7, but the stream is at version 1; nothing was written.")]
    public async Task A_412_in_the_language_asked_for(string asked, string title, string detail)
    {
        var id = await Client.Register(Scenario.CareHome());
        var problem = await Send(HttpMethod.Post, $"/api/institutions/{id}/details", asked,
            new ChangeInstitutionDetails("新名养老院", null, null, null, new DateOnly(2020, 1, 1), "renamed"), ifMatch: "\"7\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, problem.Status);
        Assert.Equal(asked, problem.ContentLanguage);
        Assert.Equal(title, problem.Title);
        Assert.Equal(detail, problem.Detail);
    }

    [Theory]
    // Existing clients send nothing and keep their English; a browser saying only "zh" (or zh-TW) gets Chinese.
    [InlineData(null, "en", "The request is invalid")]
    [InlineData("fr-FR", "en", "The request is invalid")]
    [InlineData("zh", "zh-CN", "请求无效")]
    [InlineData("zh-TW,en;q=0.8", "zh-CN", "请求无效")]
    [InlineData("fr, en-GB;q=0.9, zh-CN;q=0.5", "en", "The request is invalid")]
    [InlineData("en;q=0.4, zh-CN;q=0.9", "zh-CN", "请求无效")]
    public async Task The_api_speaks_english_unless_asked_otherwise(string? asked, string answered, string title)
    {
        var problem = await Send(HttpMethod.Post, "/api/institutions", asked, Invalid);
        Assert.Equal(answered, problem.ContentLanguage);
        Assert.Equal(title, problem.Title);
    }

    [Fact]
    public async Task The_culture_cookie_the_console_sets_wins_over_accept_language()
    {
        var cookie = $"{Microsoft.AspNetCore.Localization.CookieRequestCultureProvider.DefaultCookieName}=c%3Dzh-CN%7Cuic%3Dzh-CN";
        var problem = await Send(HttpMethod.Post, "/api/institutions", "en", Invalid, cookie: cookie);
        Assert.Equal("zh-CN", problem.ContentLanguage);
        Assert.Equal("为必填项", problem.Error("name"));
    }

    [Fact]
    public async Task Outside_the_api_the_default_is_chinese()
    {
        // The console's pages live outside /api; a path nothing serves shows the status code page's problem.
        var problem = await Send(HttpMethod.Get, "/no-such-page", null);
        Assert.Equal(HttpStatusCode.NotFound, problem.Status);
        Assert.Equal("zh-CN", problem.ContentLanguage);
        Assert.Equal("未找到", problem.Title);
        var english = await Send(HttpMethod.Get, "/no-such-page?culture=en", null);
        Assert.Equal("en", english.ContentLanguage);
        Assert.Equal("Not Found", english.Title);
    }

    [Fact]
    public async Task A_body_that_does_not_deserialize_is_explained_in_chinese()
    {
        var problem = await Send(HttpMethod.Post, "/api/institutions", "zh-CN", """{"name": 5}""");
        Assert.Equal(HttpStatusCode.BadRequest, problem.Status);
        Assert.Equal("JSON 格式无效", problem.Title);
        Assert.Equal("必须是字符串", problem.Error("name"));
    }
}

// Every message the code can send has its Chinese: the catalogue's keys are the L.T literals in the source.
public class MessageCatalogueTests
{
    private static readonly Regex Call = new(@"L\.T\(\s*(?<interpolated>\$)?""(?<key>(?:[^""\\]|\\.)*)""", RegexOptions.Compiled);
    private static readonly Regex Placeholder = new(@"\{(\d+)(:[^}]*)?\}", RegexOptions.Compiled);

    private static IEnumerable<(string File, string Key, bool Interpolated)> Calls() =>
        Directory.EnumerateFiles(OpenApiDocumentTests.RepositoryFile("src", "CareRegistry.Api"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(f => Call.Matches(File.ReadAllText(f)).Select(m =>
                (Path.GetFileName(f), Regex.Unescape(m.Groups["key"].Value), m.Groups["interpolated"].Success)));

    private static IReadOnlyDictionary<string, string> Chinese => Messages.Entries(RegistryLocalization.Chinese);

    [Fact]
    public void The_source_has_messages_to_check() => Assert.True(Calls().Count() > 200, "the scan found too few L.T calls: is the regex still right?");

    [Fact]
    public void No_message_is_interpolated() =>
        Assert.Empty(Calls().Where(c => c.Interpolated).Select(c => $"{c.File}: {c.Key}"));

    [Fact]
    public void Every_message_has_a_chinese_entry() =>
        Assert.Empty(Calls().Where(c => !Chinese.ContainsKey(c.Key)).Select(c => $"{c.File}: {c.Key}").Distinct());

    [Fact]
    public void Every_chinese_entry_is_used_and_has_the_same_placeholders()
    {
        var used = Calls().Select(c => c.Key).ToHashSet();
        Assert.DoesNotContain(Chinese.Keys, k => !used.Contains(k));
        foreach (var (key, zh) in Chinese)
        {
            static string[] Of(string s) => Placeholder.Matches(s).Select(m => m.Value).Distinct().Order().ToArray();
            Assert.True(Of(key).SequenceEqual(Of(zh)), $"'{key}' → '{zh}': placeholders differ");
            Assert.NotEqual("", zh.Trim());
            // Renders without a format error in both languages.
            var formats = Placeholder.Matches(key).ToDictionary(m => int.Parse(m.Groups[1].Value), m => m.Groups[2].Value);
            var args = Enumerable.Range(0, 10).Select(i => formats.GetValueOrDefault(i) switch
            {
                ":yyyy-MM-dd" => (object)new DateOnly(2026, 1, 31),
                ":O" => DateTimeOffset.UnixEpoch,
                _ => i,
            }).ToArray();
            _ = L.T(key, args).Render(RegistryLocalization.Chinese);
            _ = L.T(key, args).Render(RegistryLocalization.English);
        }
    }

    [Fact]
    public void A_message_renders_in_either_language()
    {
        var text = L.T("must be at most {0} characters", 300);
        Assert.Equal("不得超过 300 个字符", text.Render(RegistryLocalization.Chinese));
        Assert.Equal("must be at most 300 characters", text.Render(RegistryLocalization.English));
        // A value that is itself a message follows the language of the whole.
        var nested = L.T("cannot {0} {1}: it is {2} on {3:yyyy-MM-dd}", L.T("revoke"), L.T("elderly-care filing {0}", "A1"), L.T("suspended"), new DateOnly(2026, 1, 31));
        Assert.Equal("无法撤销养老机构备案 A1：截至 2026-01-31 其状态为暂停", nested.Render(RegistryLocalization.Chinese));
        Assert.Equal("cannot revoke elderly-care filing A1: it is suspended on 2026-01-31", nested.Render(RegistryLocalization.English));
    }
}
