using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Net.Http.Headers;

namespace CareRegistry.Localization;

// The one place the registry's language is decided, for the API and the console alike. Supported: zh-CN and en.
// Asked for by, in order: ?culture= (console pages only: the API's reads refuse undeclared parameters), the standard
// culture cookie (the console's language switch sets it), Accept-Language. When nothing is asked, the JSON API
// (/api, /fhir, /public) answers in English, as its existing clients expect, and everything else (the console) in
// Chinese. Only the words follow the language (CurrentUICulture): CurrentCulture stays invariant, so a date or a number
// is written the same way in every answer, file and log whatever the caller reads.
public static class RegistryLocalization
{
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    public static readonly IReadOnlyList<CultureInfo> Supported = [Chinese, English];

    public static IServiceCollection AddRegistryLocalization(this IServiceCollection services)
    {
        // No ResourcesPath: IStringLocalizer<T> reads the .resx named after T, beside it (Localization/Messages.resx).
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.SupportedCultures = [CultureInfo.InvariantCulture];
            o.SupportedUICultures = [.. Supported];
            o.DefaultRequestCulture = new RequestCulture(CultureInfo.InvariantCulture, Chinese);
            o.FallBackToParentUICultures = true;
            o.RequestCultureProviders =
            [
                new CustomRequestCultureProvider(FromQuery),
                new CookieRequestCultureProvider(),
                new CustomRequestCultureProvider(http => Task.FromResult(FromAcceptLanguage(http.Request.Headers.AcceptLanguage))),
                new CustomRequestCultureProvider(http => Task.FromResult<ProviderCultureResult?>(new(DefaultFor(http.Request.Path).Name))),
            ];
        });
        return services;
    }

    // Before the exception handler and the status code pages, so that the problems they write are in the caller's language.
    public static IApplicationBuilder UseRegistryLocalization(this IApplicationBuilder app) => app.UseRequestLocalization();

    // The Content-Language of an answer: the two supported languages, as their tags.
    public static string LanguageOf(CultureInfo culture) => culture.TwoLetterISOLanguageName == "zh" ? Chinese.Name : English.Name;

    public static bool IsJsonApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/fhir") || path.StartsWithSegments("/public");

    public static CultureInfo DefaultFor(PathString path) => IsJsonApi(path) ? English : Chinese;

    private static Task<ProviderCultureResult?> FromQuery(HttpContext http) =>
        Task.FromResult(!IsJsonApi(http.Request.Path) && http.Request.Query["culture"].ToString() is { Length: > 0 } asked
            && Match(asked) is { } culture ? new ProviderCultureResult(culture.Name) : null);

    // zh, zh-Hans, zh-TW... are all answered in zh-CN, en-US, en-GB... in en: a browser saying only "zh" still gets Chinese.
    public static ProviderCultureResult? FromAcceptLanguage(IEnumerable<string?> header)
    {
        if (!StringWithQualityHeaderValue.TryParseList(header.OfType<string>().ToList(), out var languages)) return null;
        var wanted = languages.Where(l => l.Quality is not 0)
            .Select((l, i) => (Culture: Match(l.Value.Value), Quality: l.Quality ?? 1, Order: i))
            .Where(l => l.Culture is not null)
            .OrderByDescending(l => l.Quality).ThenBy(l => l.Order)
            .FirstOrDefault();
        return wanted.Culture is { } c ? new ProviderCultureResult(c.Name) : null;
    }

    public static CultureInfo? Match(string? tag) =>
        tag is null ? null
        : tag.Equals("zh", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("zh-", StringComparison.OrdinalIgnoreCase) ? Chinese
        : tag.Equals("en", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("en-", StringComparison.OrdinalIgnoreCase) ? English
        : null;
}
