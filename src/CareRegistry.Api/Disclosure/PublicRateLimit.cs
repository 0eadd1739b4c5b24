using CareRegistry.Localization;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace CareRegistry.Disclosure;

// /public is open to anyone, so each client address gets a fixed window of requests (PublicRateLimit:PermitLimit per
// PublicRateLimit:WindowSeconds, default 60 a minute); past it, 429 with Retry-After until the window turns. Only
// /public is limited: /api callers are known by their token. Behind a reverse proxy the address is the proxy's unless
// forwarded headers are configured (docs/integration.md).
public static class PublicRateLimit
{
    public static IServiceCollection AddPublicRateLimit(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue("PublicRateLimit:PermitLimit", 60);
        var window = TimeSpan.FromSeconds(configuration.GetValue("PublicRateLimit:WindowSeconds", 60));
        return services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Request.Path.StartsWithSegments("/public")
                    ? RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = async (context, ct) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : (int)window.TotalSeconds;
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                response.Headers.ContentLanguage = RegistryLocalization.LanguageOf(CultureInfo.CurrentUICulture);
                await response.WriteAsJsonAsync(new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests, Title = L.T("Too many requests").Render(),
                    Detail = L.T("at most {0} requests per {1:0} s from one address; retry after {2} s", permits, window.TotalSeconds, seconds).Render(),
                }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", ct);
            };
        });
    }
}
