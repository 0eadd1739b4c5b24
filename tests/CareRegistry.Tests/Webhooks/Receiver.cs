using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CareRegistry.Tests.Webhooks;

// A webhook receiver as another department would write one: a small Kestrel server on a loopback port that verifies the
// signature and keeps every request it was sent. `Answer` decides the status for each request (by its number, from 1),
// so a test can make it fail some; Stop/Start take it down and up on the same port.
public sealed class Receiver : IAsyncDisposable
{
    public sealed record Received(int Number, string Id, string Type, string Subject, DateTimeOffset Time, long StreamVersion, byte[] Body,
        string? Signature, bool SignatureValid, int Status, DateTimeOffset At);

    private readonly string _secret;
    private WebApplication? _app;
    private int _count;

    public Receiver(string secret, Func<int, int>? answer = null)
    {
        _secret = secret;
        Answer = answer ?? (_ => 204);
        Port = Resilience.PostgresCluster.FreePort();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hooks/careregistry";

    public Func<int, int> Answer { get; set; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    // What a receiver keeps: the first accepted delivery of each id (duplicates dropped).
    public IReadOnlyList<Received> Accepted =>
        Requests.Where(r => r.Status is >= 200 and < 300).OrderBy(r => r.Number).DistinctBy(r => r.Id).ToList();

    // The signature check a receiver does: HMAC-SHA256 of the exact body with the shared secret, compared in constant time.
    public static bool Verify(string secret, byte[] body, string? header)
    {
        if (header is null || !header.StartsWith("sha256=", StringComparison.Ordinal)) return false;
        var expected = Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(header));
    }

    // Kestrel, not HttpListener: with an HttpListener a delivery was once recorded as delivered (a 2xx) that the
    // receiver never saw, just as the listener was stopped — evidently answered with its default 200. Kestrel's
    // shutdown finishes the requests in hand and refuses the rest.
    public Receiver Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        var app = builder.Build();
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            http.Response.StatusCode = Handle(buffer.ToArray(), http.Request.Headers["X-CareRegistry-Signature"].FirstOrDefault());
        });
        app.StartAsync().GetAwaiter().GetResult();
        _app = app;
        return this;
    }

    private int Handle(byte[] body, string? signature)
    {
        var number = Interlocked.Increment(ref _count);
        var status = Answer(number);
        var root = JsonDocument.Parse(body).RootElement;
        Requests.Enqueue(new Received(number, root.GetProperty("id").GetString()!, root.GetProperty("type").GetString()!,
            root.GetProperty("subject").GetString()!, DateTimeOffset.Parse(root.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            root.GetProperty("data").GetProperty("version").GetInt64(), body, signature, Verify(_secret, body, signature), status, DateTimeOffset.UtcNow));
        return status;
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async Task<IReadOnlyList<Received>> UntilAcceptedAsync(int count, TimeSpan bound)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (Accepted.Count < count)
        {
            if (watch.Elapsed > bound)
                throw new Xunit.Sdk.XunitException($"{Accepted.Count} of {count} deliveries accepted within {bound.TotalSeconds} s ({Requests.Count} requests)");
            await Task.Delay(100);
        }
        return Accepted;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
