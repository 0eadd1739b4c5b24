using System.Globalization;
using System.Security.Claims;
using CareRegistry.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Localization;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace CareRegistry.WebConsole;

// The web console (docs/console.md): Razor components rendered on the server at /, signed in with a cookie that
// carries exactly the API's claims. The API keeps the JWT bearer scheme as its default; the console's pages ask for
// the cookie scheme by name.
public static class ConsoleSetup
{
    public const string Scheme = "console";
    public const string OidcScheme = "console-oidc";
    public static IReadOnlyList<CultureInfo> Cultures => Localization.RegistryLocalization.Supported;

    // Paths that belong to the API and other machine routes; everything else is the console's.
    private static readonly string[] MachinePaths = ["/api", "/fhir", "/public", "/openapi", "/docs", "/health", "/scalar"];

    public static bool IsConsolePath(PathString path) => !MachinePaths.Any(p => path.StartsWithSegments(p));

    // Whether the development sign-in page is offered: only where the development signing key is configured.
    public static bool DevSignIn(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration["Auth:SigningKey"]);

    public static bool OidcSignIn(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration["Auth:Authority"]);

    public static WebApplicationBuilder AddConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddRazorComponents();
        // Chinese text as characters, not numeric references: pages half the size and readable in the source.
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddHttpContextAccessor();
        services.AddScoped<RegistryApi>();
        services.AddSingleton<ConsoleText>();
        services.AddAntiforgery(o => o.Cookie.Name = "careregistry.af");

        var auth = services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "careregistry.console";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.AccessDeniedPath = "/signin";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
        });
        if (OidcSignIn(configuration))
        {
            var section = configuration.GetSection("Auth");
            auth.AddOpenIdConnect(OidcScheme, o =>
            {
                o.SignInScheme = Scheme;
                o.Authority = section["Authority"];
                o.ClientId = section["ConsoleClientId"] ?? "careregistry-console";
                o.ClientSecret = section["ConsoleClientSecret"];
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.SaveTokens = false;
                o.CallbackPath = "/signin-oidc";
                o.SignedOutCallbackPath = "/signout-callback-oidc";
                o.RequireHttpsMetadata = !builder.Environment.IsDevelopment() && section["Authority"]?.StartsWith("http://", StringComparison.Ordinal) != true;
                o.Scope.Clear();
                foreach (var scope in (section["ConsoleScopes"] ?? "openid profile").Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
                // The issuer's department, role and jurisdiction claims, from the ID token or the userinfo answer.
                foreach (var claim in new[] { "department", "role", "jurisdiction" }) o.ClaimActions.MapUniqueJsonKey(claim, claim);
                o.Events.OnTicketReceived = context =>
                {
                    // The session carries the API's four claims and nothing else; an identity outside the vocabulary is refused.
                    var (principal, refusal) = Principal(context.Principal ?? new ClaimsPrincipal());
                    if (principal is null) context.Fail(refusal!);
                    else context.Principal = principal;
                    return Task.CompletedTask;
                };
            });
        }
        return builder;
    }

    // The console's principal: exactly the API's claims (sub, department, role, jurisdiction), read with the API's own
    // vocabulary check (Caller.Read).
    public static (ClaimsPrincipal? Principal, string? Refusal) Principal(ClaimsPrincipal given)
    {
        var (caller, refusal) = Caller.Read(given);
        if (caller is null) return (null, refusal?.Render());
        var claims = new List<Claim> { new("sub", caller.UserId), new("role", Common.Json.Wire(caller.Role)) };
        if (caller.Department is { } d) claims.Add(new Claim("department", Common.Json.Wire(d)));
        if (caller.Jurisdiction is { } j) claims.Add(new Claim("jurisdiction", j == "" ? "00" : j));
        return (new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, "sub", "role")), null);
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        // The language is decided once for the API and the console alike, by UseRegistryLocalization in Program.cs
        // (Localization/RegistryLocalization.cs): ?culture=, the cookie the switch below sets, Accept-Language, else Chinese.
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapGet("/console/assets/{name}", ConsoleAssets.Serve).ExcludeFromDescription().AllowAnonymous().AnswerHead();
        app.MapGet("/culture", (string? lang, string? back, HttpContext http) =>
        {
            var culture = Cultures.FirstOrDefault(c => c.Name.Equals(lang, StringComparison.OrdinalIgnoreCase)) ?? Cultures[0];
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            return Results.LocalRedirect(LocalOnly(back));
        }).ExcludeFromDescription().AnswerHead();
        app.MapPost("/signout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            // The form's token was issued to the console session, so the request is checked as that session.
            if ((await http.AuthenticateAsync(Scheme)).Principal is { } signedIn) http.User = signedIn;
            if (!await antiforgery.IsRequestValidAsync(http)) return Results.BadRequest();
            await http.SignOutAsync(Scheme);
            return Results.LocalRedirect("/signin");
        }).ExcludeFromDescription().DisableAntiforgery();
        app.MapGet("/signin/oidc", (string? back) => OidcSignIn(app.Configuration)
            ? Results.Challenge(new AuthenticationProperties { RedirectUri = LocalOnly(back) }, [OidcScheme])
            : Results.NotFound()).ExcludeFromDescription().AnswerHead();
        ConsoleDownloads.Map(app);
        app.MapRazorComponents<App>().ExcludeFromDescription().AnswerHead();
        return app;
    }

    // HEAD wherever GET is answered, as on every API route (Common/HeadLikeGet.cs): routing reads an endpoint's last
    // method metadata, so the methods it has are repeated with HEAD added.
    public static TBuilder AnswerHead<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(e =>
        {
            var methods = e.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods;
            if (methods is not null && methods.Contains(HttpMethods.Get) && !methods.Contains(HttpMethods.Head))
                e.Metadata.Add(new HttpMethodMetadata([.. methods, HttpMethods.Head]));
        });
        return builder;
    }

    // Only a path on this site may be returned to (no open redirect).
    public static string LocalOnly(string? back) =>
        back is { Length: > 0 } b && b.StartsWith('/') && !b.StartsWith("//", StringComparison.Ordinal) && !b.StartsWith("/\\", StringComparison.Ordinal) ? b : "/";
}
