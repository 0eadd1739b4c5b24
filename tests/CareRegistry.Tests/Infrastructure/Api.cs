using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareRegistry.Common;

namespace CareRegistry.Tests.Infrastructure;

// Small helpers for HTTP tests: send raw JSON (so malformed bodies can be sent too) and read the answer as JSON.
public static class Api
{
    public static async Task<Answer> Post(this HttpClient client, string url, object body, string? ifMatch = null, string? bearer = null) =>
        await client.PostRaw(url, body as string ?? JsonSerializer.Serialize(body, Json.Options), ifMatch, bearer: bearer);

    // With a bearer token the request goes out as that caller; without one the test client picks the right officer.
    public static async Task<Answer> PostRaw(this HttpClient client, string url, string json, string? ifMatch = null, string contentType = "application/json",
        string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await Answer.From(await client.SendAsync(request));
    }

    public static async Task<Answer> Get(this HttpClient client, string url) => await Answer.From(await client.GetAsync(url));

    // A read that must see what was just recorded: figures believed now are otherwise allowed to be summed from
    // districts' figures up to a minute behind (Statistics/AreaSummaries).
    public static async Task<Answer> GetCurrent(this HttpClient client, string url, string cacheControl = "no-cache")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Cache-Control", cacheControl);
        return await Answer.From(await client.SendAsync(request));
    }

    // Starts a rebuild of every projection (202 with Location) and follows its status until it is no longer running:
    // the rebuild's final status, which must say succeeded.
    public static async Task<JsonNode> Rebuild(this HttpClient client)
    {
        var started = (await client.Post("/api/admin/projections/rebuild", "{}")).ShouldBe(HttpStatusCode.Accepted);
        var location = started.Headers.Location?.ToString() ?? throw new Xunit.Sdk.XunitException($"no Location: {started.Text}");
        return await client.RebuildFinished(location);
    }

    public static async Task<JsonNode> RebuildFinished(this HttpClient client, string location)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var status = (await client.Get(location)).ShouldBe(HttpStatusCode.OK).Body!;
            if (status["state"]!.GetValue<string>() != "running")
            {
                Assert.True(status["state"]!.GetValue<string>() == "succeeded", $"the rebuild ended {status.ToJsonString()}");
                return status;
            }
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), $"the rebuild is still running: {status.ToJsonString()}");
            await Task.Delay(50);
        }
    }
}

public sealed record Answer(HttpStatusCode Status, JsonNode? Body, string Text, HttpResponseHeaders Headers, string? ContentType)
{
    public static async Task<Answer> From(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        try { body = text.Length > 0 ? JsonNode.Parse(text) : null; } catch (JsonException) { }
        return new Answer(response.StatusCode, body, text, response.Headers, response.Content.Headers.ContentType?.MediaType);
    }

    public JsonNode this[string name] => Body?[name] ?? throw new Xunit.Sdk.XunitException($"no '{name}' in {Text}");

    public Guid Id => Guid.Parse(this["id"].GetValue<string>());

    public long Version => this["version"].GetValue<long>();

    public Answer ShouldBe(HttpStatusCode expected)
    {
        Assert.True(Status == expected, $"expected {(int)expected} {expected}, got {(int)Status}: {Text}");
        return this;
    }

    // A problem (RFC 9457) with the status and, for invalid input, the offending field.
    public Answer ShouldBeProblem(HttpStatusCode expected, string? field = null)
    {
        ShouldBe(expected);
        Assert.Equal("application/problem+json", ContentType);
        Assert.Equal((int)expected, this["status"].GetValue<int>());
        if (field is not null)
        {
            var errors = this["errors"].AsObject();
            Assert.True(errors.ContainsKey(field), $"expected an error on '{field}': {Text}");
        }
        return this;
    }
}
