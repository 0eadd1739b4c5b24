using System.Net;
using System.Text.Json.Nodes;
using Alba;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Disclosure;

// Anonymous requests to /public from a given client address, so each test has its own rate-limit window.
public static class PublicClient
{
    private static int _address;

    public static string NewAddress()
    {
        var n = Interlocked.Increment(ref _address);
        return $"198.51.{n / 250}.{n % 250 + 1}";
    }

    public static async Task<IScenarioResult> Public(this RegistryFixture fixture, string url, string address,
        string? ifNoneMatch = null, string? accept = null) =>
        await fixture.Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Parse(address));
            if (ifNoneMatch is not null) s.WithRequestHeader("If-None-Match", ifNoneMatch);
            if (accept is not null) s.WithRequestHeader("Accept", accept);
            s.IgnoreStatusCode();
        });

    public static JsonArray Items(this IScenarioResult result)
    {
        Assert.Equal(200, result.Context.Response.StatusCode);
        return JsonNode.Parse(result.ReadAsText())!["items"]!.AsArray();
    }
}
