using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CareRegistry.Access;
using CareRegistry.Common;

namespace CareRegistry.Bench;

public sealed class Tokens(DevTokens dev)
{
    private readonly ConcurrentDictionary<(Department?, Role), string> cache = new();

    public string For(Department? department, Role role) =>
        cache.GetOrAdd((department, role), k => dev.For($"bench-{(k.Item1 is { } d ? Json.Wire(d) : "any")}-{Json.Wire(k.Item2)}", k.Item1, k.Item2, "00", TimeSpan.FromHours(6)));

    public static Tokens FromEnvironment() => new(new DevTokens(
        Environment.GetEnvironmentVariable("Auth__SigningKey") ?? throw new InvalidOperationException("set Auth__SigningKey"),
        Environment.GetEnvironmentVariable("Auth__Issuer") ?? "careregistry-dev",
        Environment.GetEnvironmentVariable("Auth__Audience") ?? "careregistry"));
}

public static class Http
{
    public static HttpClient Client(string url) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(30), AutomaticDecompression = DecompressionMethods.None,
    }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(60) };
}

// Sends a cluster's commands, timing each; stops (by throwing) at the deadline; optionally paced to a global rate.
public sealed class LoadRun(HttpClient http, Tokens tokens, DateTime deadline, double rate)
{
    public readonly ConcurrentBag<double> Latencies = new();
    // Each command's start (seconds on Clock) and latency, for `load --slowest` to set beside what ran meanwhile.
    public readonly ConcurrentQueue<(double At, double Milliseconds, string Url)> Timeline = new();
    public long Ok, Refused, Failed, Started;
    public readonly ConcurrentQueue<string> Problems = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly DateTime deadline = deadline;
    private readonly double rate = rate;
    private long slot;

    public double Elapsed => clock.Elapsed.TotalSeconds;

    public sealed class Stop : Exception;

    private sealed class Sender(LoadRun run) : ISender
    {
        public async Task<JsonObject?> PostAsync(string url, JsonObject body, Department department, Role role)
        {
            if (DateTime.UtcNow >= run.deadline) throw new Stop();
            if (run.rate > 0)
            {
                // Open-loop pacing: command k may start at k / rate seconds; latency is measured from that moment,
                // so a service that falls behind is charged for the queueing (no coordinated omission).
                var k = Interlocked.Increment(ref run.slot) - 1;
                var due = k / run.rate;
                var wait = due - run.clock.Elapsed.TotalSeconds;
                if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait));
                if (DateTime.UtcNow >= run.deadline) throw new Stop();
                return await run.SendAsync(url, body, department, role, due);
            }
            return await run.SendAsync(url, body, department, role, null);
        }
    }

    public ISender NewSender() => new Sender(this);

    private async Task<JsonObject?> SendAsync(string url, JsonObject body, Department department, Role role, double? scheduled)
    {
        Interlocked.Increment(ref Started);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For(department, role));
        request.Headers.Add("X-Data-Source", "bench");
        var start = scheduled ?? clock.Elapsed.TotalSeconds;
        try
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Latencies.Add((clock.Elapsed.TotalSeconds - start) * 1000);
            Timeline.Enqueue((start, (clock.Elapsed.TotalSeconds - start) * 1000, url));
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref Ok);
                return JsonNode.Parse(text) as JsonObject;
            }
            Interlocked.Increment(ref Refused);
            if (Problems.Count < 20) Problems.Enqueue($"POST {url} {(int)response.StatusCode}: {text[..Math.Min(text.Length, 300)]} body {body.ToJsonString()[..Math.Min(body.ToJsonString().Length, 300)]}");
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref Failed);
            if (Problems.Count < 20) Problems.Enqueue($"POST {url}: {e.GetType().Name} {e.Message}");
            return null;
        }
    }

    // Runs clusters from `first` on `clients` workers until `count` clusters are done or the deadline passes.
    public async Task<int> RunClustersAsync(int first, int count, int clients)
    {
        var next = first - 1;
        var end = first + count;
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var sender = NewSender();
            while (true)
            {
                var c = Interlocked.Increment(ref next);
                if (c >= end) return;
                try { await ClusterPlan.RunAsync(c, sender); }
                catch (Stop) { return; }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return Math.Min(next + 1, end);
    }
}

public static class Regimes
{
    // The national reforms the source documents cite; regimes are national only, so a cluster copied into another
    // district meets the same regimes.
    public static async Task LoadAsync(HttpClient http, Tokens tokens)
    {
        (string Type, Department Department, string On, string Basis)[] regimes =
        [
            ("internal-clinic", Department.Health, "2017-11-08", "国卫办医发〔2017〕38号"),
            ("elderly-care", Department.CivilAffairs, "2018-12-29", "《中华人民共和国老年人权益保障法》2018年修正；民函〔2019〕1号"),
        ];
        foreach (var (type, department, on, basis) in regimes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/jurisdictions/00/regimes")
            {
                Content = new StringContent(new JsonObject { ["permitType"] = type, ["regime"] = "filing", ["effectiveOn"] = on, ["basis"] = basis, ["pendingApplications"] = "convert" }.ToJsonString(),
                    Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For(department, Role.Officer));
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"regime {type}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}

// POST /api/admin/projections/rebuild some seconds into a load, then its status every 250 ms until it ends: when each
// projection finished (a set-based one swaps its tables just before), on the load's clock (LoadRun.Elapsed), to be set
// beside the commands that waited longest.
public static class RebuildBeside
{
    public static async Task<List<string>> RunAsync(HttpClient http, Tokens tokens, LoadRun run, double after)
    {
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, after - run.Elapsed)));
        var token = tokens.For(null, Role.Admin);
        using var start = new HttpRequestMessage(HttpMethod.Post, "/api/admin/projections/rebuild") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var asked = run.Elapsed;
        using var started = await http.SendAsync(start);
        var lines = new List<string> { $"rebuild asked at {asked:0.000} s: {(int)started.StatusCode}" };
        if (started.StatusCode != HttpStatusCode.Accepted || started.Headers.Location is not { } location)
        {
            lines.Add(await started.Content.ReadAsStringAsync());
            return lines;
        }
        var finished = new HashSet<string>();
        while (true)
        {
            await Task.Delay(250);
            using var poll = new HttpRequestMessage(HttpMethod.Get, location);
            poll.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await http.SendAsync(poll);
            var status = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
            foreach (var p in status["projections"]!.AsArray())
                if (p!["state"]!.GetValue<string>() is "succeeded" or "failed" && finished.Add(p["name"]!.GetValue<string>()))
                    lines.Add($"  {p["name"]} {p["state"]} by {run.Elapsed:0.000} s (its own {p["seconds"]} s)");
            if (status["state"]!.GetValue<string>() != "running")
            {
                lines.Add($"rebuild {status["state"]} by {run.Elapsed:0.000} s");
                return lines;
            }
        }
    }
}
