using System.Net;
using System.Text.RegularExpressions;

namespace CareRegistry.Bench;

// Signs in to the web console as one of its development presets (ops/up's development key), as a browser would: the
// sign-in page's form with its antiforgery token, then the session cookie, which the console's page reads carry.
public static partial class ConsoleSession
{
    public static async Task<string> SignInAsync(string url, string preset)
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
        var page = await client.GetStringAsync("/signin");
        var form = PresetForm().Match(page);
        if (!form.Success) throw new InvalidOperationException("the console's sign-in page has no preset form (is the development key set?)");
        var fields = Hidden().Matches(form.Value).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["Preset"] = preset;
        using var answer = await client.PostAsync("/signin", new FormUrlEncodedContent(fields));
        if ((int)answer.StatusCode is not (302 or 303)) throw new InvalidOperationException($"console sign-in answered {(int)answer.StatusCode}");
        var header = cookies.GetCookieHeader(new Uri(url));
        if (!header.Contains("careregistry.console=", StringComparison.Ordinal)) throw new InvalidOperationException("console sign-in set no session cookie");
        return header;
    }

    [GeneratedRegex("<form[^>]*>(?:(?!</form>).)*name=\"Preset\"(?:(?!</form>).)*</form>", RegexOptions.Singleline)]
    private static partial Regex PresetForm();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"")]
    private static partial Regex Hidden();
}
