using System.Net;
using System.Text.RegularExpressions;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Console;

// A browser without JavaScript against the test host: keeps cookies, follows redirects by hand (so a test can see
// them), signs in through the development page and posts forms with their anti-forgery token.
public sealed partial class ConsoleBrowser : IDisposable
{
    private readonly CookieContainer _cookies = new();
    private readonly HttpClient _http;
    private readonly Uri _base;

    public ConsoleBrowser(RegistryFixture fixture, string? acceptLanguage = "zh-CN,zh;q=0.9")
    {
        _base = fixture.Host.Server.BaseAddress;
        _http = new HttpClient(new CookieHandler(_cookies) { InnerHandler = fixture.Host.Server.CreateHandler() }) { BaseAddress = _base };
        if (acceptLanguage is not null) _http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
    }

    public sealed record Page(HttpStatusCode Status, string Html, Uri Address, HttpResponseMessage Response)
    {
        // The page's text with tags removed and entities decoded, for assertions on what a reader sees.
        public string Text => WebUtility.HtmlDecode(Tags().Replace(Html, " "));

        public Page ShouldShow(params string[] texts)
        {
            foreach (var text in texts) Assert.True(Text.Contains(text, StringComparison.Ordinal), $"expected '{text}' on {Address}: {Excerpt}");
            return this;
        }

        public Page ShouldNotShow(params string[] texts)
        {
            foreach (var text in texts) Assert.False(Text.Contains(text, StringComparison.Ordinal), $"did not expect '{text}' on {Address}");
            return this;
        }

        private string Excerpt => Regex.Replace(Text, @"\s+", " ") is var t && t.Length > 3000 ? t[..3000] : Regex.Replace(Text, @"\s+", " ");
    }

    // GET without following redirects.
    public async Task<HttpResponseMessage> Raw(string url) => await _http.GetAsync(url);

    // GET, following redirects within the site.
    public async Task<Page> Get(string url)
    {
        var response = await _http.GetAsync(url);
        for (var hops = 0; hops < 5 && (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } next; hops++)
            response = await _http.GetAsync(next.IsAbsoluteUri ? next.PathAndQuery : next.ToString());
        return new Page(response.StatusCode, await response.Content.ReadAsStringAsync(), response.RequestMessage!.RequestUri!, response);
    }

    // Posts the named form of a page (its hidden fields, the anti-forgery token among them, plus the given values).
    public async Task<Page> Submit(Page page, string handler, IDictionary<string, string> values, string? action = null)
    {
        var fields = new Dictionary<string, string> { ["_handler"] = handler };
        var token = AntiforgeryToken().Match(page.Html);
        Assert.True(token.Success, "the page has no anti-forgery token");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        foreach (var (k, v) in values) fields[k] = v;
        var response = await _http.PostAsync(action ?? page.Address.PathAndQuery, new FormUrlEncodedContent(fields));
        for (var hops = 0; hops < 5 && (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } next; hops++)
            response = await _http.GetAsync(next.IsAbsoluteUri ? next.PathAndQuery : next.ToString());
        return new Page(response.StatusCode, await response.Content.ReadAsStringAsync(), response.RequestMessage!.RequestUri!, response);
    }

    // The action form of a console page (Console/Forms/ActionForm.razor): its hidden fields (the idempotency key, the
    // version it was rendered from, the ids it acts on) as rendered, plus the given values.
    public Task<Page> Act(Page page, params (string Key, string Value)[] values)
    {
        var fields = FormFields(page);
        foreach (var (k, v) in values) fields[k] = v;
        return Submit(page, "act", fields);
    }

    public static Dictionary<string, string> FormFields(Page page) =>
        FormField().Matches(page.Html).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));

    public async Task<Page> SignIn(string user, string? department, string role, string jurisdiction, string returnUrl = "/")
    {
        var page = await Get("/signin?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        var values = new Dictionary<string, string> { ["Input.User"] = user, ["Input.Role"] = role, ["Input.Jurisdiction"] = jurisdiction, ["Input.Department"] = department ?? "" };
        return await Submit(page, "custom", values);
    }

    public Task<Page> SignInPreset(string preset) =>
        Get("/signin").ContinueWith(t => Submit(t.Result, "preset", new Dictionary<string, string> { ["Preset"] = preset })).Unwrap();

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex("<input type=\"hidden\" name=\"(_key|_version|institution|permit|inspection|finding)\" value=\"([^\"]*)\"")]
    private static partial Regex FormField();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    private sealed class CookieHandler(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var uri = request.RequestUri!;
            if (cookies.GetCookieHeader(uri) is { Length: > 0 } header) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, ct);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
                foreach (var c in set) cookies.SetCookies(uri, c);
            return response;
        }
    }
}
