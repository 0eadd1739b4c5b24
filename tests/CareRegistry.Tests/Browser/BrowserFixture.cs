using System.Text;
using CareRegistry.Access;
using CareRegistry.Tests.Contract;
using CareRegistry.Tests.Resilience;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Npgsql;
using Testcontainers.PostgreSql;

namespace CareRegistry.Tests.Browser;

// The registry in a real browser: the service as it runs in production (`dotnet CareRegistry.Api.dll` on a free
// Kestrel port, its own process and environment) against a database of its own on the CAREREGISTRY_TEST_DB server
// (<name>_browser, created afresh for each run, so the in-process tests' resets never touch it), driven by Debian's
// chromium through Microsoft.Playwright. Playwright's own browser download is not used: the driver ships in the NuGet
// package and the browser is launched by path (ops/test installs chromium and fonts-noto-cjk when missing).
//
// How a browser test is written:
//
//   [Collection(BrowserCollection.Name), Trait("Category", "Browser")]
//   public class OverviewPageTests(BrowserFixture browser)
//   {
//       [BrowserFact]
//       public async Task The_overview_shows_the_monitoring_table()
//       {
//           await browser.Client.Register(Scenario.CareHome());          // state through the API, as the right officer
//           await using var session = await browser.NewSessionAsync("zh-CN");
//           await browser.SignInPresetAsync(session.Page, "km-civil-affairs");
//           await session.Page.GotoAsync(browser.Url("/"));
//           await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "监测表" })).ToBeVisibleAsync();
//           await browser.AssertAccessibleAsync(session.Page);         // axe: no serious or critical violations
//           await browser.ScreenshotAsync(session, "overview");        // docs/console/overview.zh-CN.png, when asked for
//       }
//   }
//
// Each test gets a fresh browser context (no cookies, no storage) in the language it asks for: the context's locale,
// which Chromium sends as Accept-Language on every navigation and fetch. Tests share one service and one database, so
// a test names what it created (ids, unique USCCs from Scenario) rather than counting everything.
//
// Screenshots are written only when CAREREGISTRY_SCREENSHOTS=1 (ops/test and CI leave it unset, so a test run never
// dirties the working tree): `CAREREGISTRY_SCREENSHOTS=1 dotnet test --filter Category=Browser` rewrites
// docs/console/<name>.<language>.png, to be reviewed and committed like docs/openapi.json.
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static bool ChromiumInstalled => File.Exists(ChromiumPath);

    public static bool ScreenshotsWanted => Environment.GetEnvironmentVariable("CAREREGISTRY_SCREENSHOTS") == "1";

    // Headless, and quiet on this machine's closed network: without the background-networking flags Chromium keeps
    // trying Google's services at every start. As root, Chromium refuses to start without --no-sandbox.
    public static IReadOnlyList<string> LaunchArguments =>
    [
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", .. Environment.UserName == "root" ? ["--no-sandbox"] : Array.Empty<string>(),
    ];

    private PostgreSqlContainer? _container;
    private ServiceProcess? _service;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    // Where the service answers, e.g. http://127.0.0.1:41234.
    public Uri BaseAddress => _service!.BaseAddress;

    public string Url(string pathAndQuery) => new Uri(BaseAddress, pathAndQuery).ToString();

    // Sends each API request as an officer allowed to send it (Infrastructure/RightOfficerHandler), for building state.
    public HttpClient Client => _service!.Client;

    // Signs tokens the service accepts: for a page that calls the API with a bearer token of its own.
    public DevTokens Tokens => ServiceProcess.Tokens;

    // The service's recent output, for a failure message.
    public string ServiceOutput => _service?.Output ?? "";

    public async Task InitializeAsync()
    {
        if (!ChromiumInstalled) return;
        _service = await ServiceProcess.StartAsync(await FreshDatabaseAsync());
        // Two shared cores: a page's first load (Wolverine compiles each endpoint on its first call) may take seconds.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath, Headless = true, Args = LaunchArguments,
        });
    }

    // CAREREGISTRY_TEST_DB's server with a database of its own; a throwaway container when it is not set.
    private async Task<string> FreshDatabaseAsync()
    {
        var given = Environment.GetEnvironmentVariable("CAREREGISTRY_TEST_DB");
        if (string.IsNullOrWhiteSpace(given))
        {
            _container = new PostgreSqlBuilder("postgres:15-alpine").Build();
            await _container.StartAsync();
            return _container.GetConnectionString();
        }
        var browser = new NpgsqlConnectionStringBuilder(given) { Pooling = false };
        browser.Database = $"{browser.Database}_browser";
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(given) { Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        foreach (var sql in new[] { $"drop database if exists \"{browser.Database}\" with (force)", $"create database \"{browser.Database}\"" })
        {
            await using var command = new NpgsqlCommand(sql, admin);
            await command.ExecuteNonQueryAsync();
        }
        return browser.ConnectionString;
    }

    // A fresh context (no cookies, no storage) whose locale is the language: "zh-CN" or "en".
    public async Task<BrowserSession> NewSessionAsync(string language = "zh-CN")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = language,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = language },
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            BaseURL = BaseAddress.ToString(),
        });
        context.SetDefaultTimeout(30_000);
        return new BrowserSession(context, await context.NewPageAsync(), language);
    }

    // The console's development sign-in (ops/up with its development key, Console/Pages/SignIn.razor): the custom form
    // (Input.User, Input.Department, Input.Role, Input.Jurisdiction) with values as the API's claims write them:
    // department civil-affairs | health | medical-insurance (null: none), role officer | inspector | auditor | admin,
    // jurisdiction 00 or a 2, 4 or 6-digit division code. Returns once the page has left /signin.
    public async Task SignInAsync(IPage page, string user, string? department, string role, string jurisdiction)
    {
        await page.GotoAsync(Url("/signin"));
        await page.Locator("[name='Input.User']").FillAsync(user);
        if (department is not null) await page.Locator("[name='Input.Department']").SelectOptionAsync(department);
        await page.Locator("[name='Input.Role']").SelectOptionAsync(role);
        await page.Locator("[name='Input.Jurisdiction']").FillAsync(jurisdiction);
        await page.Locator("form:has([name='Input.User']) [type=submit]").ClickAsync();
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/signin", StringComparison.Ordinal));
    }

    // The same page's preset buttons (the officers ConsoleSetup lists, e.g. km-civil-affairs, auditor), then returnUrl.
    public async Task SignInPresetAsync(IPage page, string preset, string returnUrl = "/")
    {
        await page.GotoAsync(Url("/signin?ReturnUrl=" + Uri.EscapeDataString(returnUrl)));
        await page.Locator($"button[name=Preset][value={preset}]").ClickAsync();
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/signin", StringComparison.Ordinal));
    }

    // axe-core over the page as it is now: fails on any serious or critical violation, naming each rule and element.
    // tolerated: rule ids not held against this page, for a page the registry serves but does not write (the API
    // reference is Scalar's); the registry's own pages pass none.
    public async Task<AxeResult> AssertAccessibleAsync(IPage page, IReadOnlyCollection<string>? tolerated = null, AxeRunOptions? options = null)
    {
        var result = await page.RunAxe(options);
        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical" && tolerated?.Contains(v.Id) != true).ToList();
        if (blocking.Count > 0)
        {
            var report = new StringBuilder($"axe found {blocking.Count} serious or critical violation(s) on {page.Url}:\n");
            foreach (var v in blocking)
                report.AppendLine($"  {v.Impact} {v.Id}: {v.Help} ({v.HelpUrl})\n    at {string.Join("; ", v.Nodes.Take(5).Select(n => n.Target.ToString()))}");
            throw new Xunit.Sdk.XunitException(report.ToString());
        }
        return result;
    }

    // docs/console/<name>.<language>.png, full page; only when CAREREGISTRY_SCREENSHOTS=1. Returns the path, or null.
    public async Task<string?> ScreenshotAsync(BrowserSession session, string name)
    {
        if (!ScreenshotsWanted) return null;
        var path = OpenApiDocumentTests.RepositoryFile("docs", "console", $"{name}.{session.Language}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await session.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_service is not null) await _service.DisposeAsync();
        if (_container is not null) await _container.DisposeAsync();
    }
}

// One browser page in a context of its own; disposing it closes the context.
public sealed class BrowserSession(IBrowserContext context, IPage page, string language) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;

    public IPage Page { get; } = page;

    // "zh-CN" or "en": the locale the context was opened with, and the suffix of its screenshots.
    public string Language { get; } = language;

    public ValueTask DisposeAsync() => new(Context.CloseAsync());
}

// One service and one browser for every browser test; they run one at a time (two cores: a page's timing is its own).
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

// A browser test: skipped, with the reason, only where Debian's chromium is not installed (ops/test installs it).
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!BrowserFixture.ChromiumInstalled)
            Skip = $"needs Debian's chromium at {BrowserFixture.ChromiumPath} (ops/test installs it: apt-get install chromium fonts-noto-cjk)";
    }
}

[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        if (!BrowserFixture.ChromiumInstalled)
            Skip = $"needs Debian's chromium at {BrowserFixture.ChromiumPath} (ops/test installs it: apt-get install chromium fonts-noto-cjk)";
    }
}
