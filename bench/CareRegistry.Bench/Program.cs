using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareRegistry.Bench;
using CareRegistry.Common;

// bench/run drives these steps; each prints progress on stderr and writes its figures as JSON.
//   template --url U --shapes K --out export.ndjson --result r.json   regimes + K clusters over HTTP, then the export
//   clone    --template export.ndjson --shapes K --clusters N --out data.ndjson --result r.json
//   bulk-load --db CONN --file data.ndjson --result r.json              (or the service's own `import <file>`)
//   measure  --url U --db CONN --pid P --first-cluster C [--quick] --result r.json
//   report   --dir DIR --json latest.json --md latest.md
//   load     --url U --pid P --kind writes|get-by-id [--first-cluster C | --db CONN] --seconds S   (steady load for a profiler)
var a = new Args(args);
DataSet.Seed = a.Int("seed", DataSet.Seed);
DataSet.Shapes = a.Int("shapes", DataSet.Shapes);
var log = Console.Error;
var options = new JsonSerializerOptions { WriteIndented = true };

switch (args.FirstOrDefault())
{
    case "template":
    {
        using var http = Http.Client(a.Str("url"));
        var tokens = Tokens.FromEnvironment();
        await Regimes.LoadAsync(http, tokens);
        var run = new LoadRun(http, tokens, DateTime.MaxValue, 0);
        await run.RunClustersAsync(0, DataSet.Shapes, a.Int("clients", 16));
        foreach (var p in run.Problems) await log.WriteLineAsync("refused: " + p);
        var (p50, p99) = Stats.P50P99(run.Latencies);
        await log.WriteLineAsync($"template: {DataSet.Shapes} clusters, {run.Ok} commands ok, {run.Refused} refused, {run.Failed} failed in {run.Elapsed:0.0} s ({run.Ok / run.Elapsed:0} commands/s; p50 {p50:0.0} ms, p99 {p99:0.0} ms)");
        var sw = Stopwatch.StartNew();
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit/export"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For(null, Role.Auditor));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var file = File.Create(a.Str("out"));
            await response.Content.CopyToAsync(file);
        }
        File.WriteAllText(a.Str("result"), new JsonObject
        {
            ["clusters"] = DataSet.Shapes, ["commands"] = run.Ok, ["refused"] = run.Refused, ["failed"] = run.Failed, ["seconds"] = Stats.R(run.Elapsed),
            ["commandsPerSecond"] = Stats.R(run.Ok / run.Elapsed, 0), ["p50Ms"] = Stats.R(p50), ["p99Ms"] = Stats.R(p99), ["exportSeconds"] = Stats.R(sw.Elapsed.TotalSeconds),
            ["problems"] = new JsonArray(run.Problems.Take(10).Select(p => (JsonNode)p).ToArray()),
        }.ToJsonString(options));
        return run.Refused + run.Failed > run.Ok / 100 ? 1 : 0;
    }
    case "clone":
    {
        var sw = Stopwatch.StartNew();
        var summary = Clone.Run(a.Str("template"), a.Str("out"), a.Int("clusters"));
        summary["seconds"] = Stats.R(sw.Elapsed.TotalSeconds);
        await log.WriteLineAsync($"clone: {summary.ToJsonString()}");
        File.WriteAllText(a.Str("result"), summary.ToJsonString(options));
        return 0;
    }
    case "measure":
    {
        using var http = Http.Client(a.Str("url"));
        var quick = a.Has("quick");
        var o = new MeasureOptions(a.Str("url"), a.Str("db"), a.Int("pid"), a.Int("first-cluster"),
            WriteClients: a.Int("clients", 16), WriteTrials: a.Int("write-trials", 3), WriteSeconds: a.Dbl("write-seconds", quick ? 3 : 20),
            LatencySeconds: a.Dbl("latency-seconds", quick ? 3 : 15), ReadClients: a.Int("read-clients", 4), ReadTrials: a.Int("read-trials", 3),
            ReadSeconds: a.Dbl("read-seconds", quick ? 0.5 : 3), RebuildTrials: a.Int("rebuild-trials", quick ? 2 : 1), VerifyTrials: a.Int("verify-trials", 3), SkipFirstRebuild: a.Has("skip-first-rebuild"),
            WarmSeconds: a.Dbl("warm-seconds", quick ? 5 : 30), Pgbench: a.Value("pgbench"));
        var result = await new Measure(o, http, Tokens.FromEnvironment(), log).RunAsync();
        File.WriteAllText(a.Str("result"), result.ToJsonString(options));
        return 0;
    }
    case "load":
    {
        // A steady load of one kind for a profiler to attach to, with the service's CPU per request:
        //   load --url U --pid P --kind writes --first-cluster C [--clients 16] [--seconds 40] [--rate R] [--rebuild-after S] [--slowest N]
        //     (--rate paces the commands to R a second, as the bench's latency trials do; unpaced otherwise;
        //     --rebuild-after starts POST /api/admin/projections/rebuild S seconds in and says when each projection
        //     finished, on the same clock as the N slowest commands listed)
        //   load --url U --pid P --kind get-by-id --db CONN [--clients 4] [--seconds 40]
        //   load --url U --pid P --kind path --path /queues [--console km-civil-affairs] [--clients 4] [--seconds 40]
        //     (one API route as an auditor, or one console page as the preset signed in; --paths FILE instead picks
        //     each request's path at random from the file's lines; the slowest requests are listed with their paths)
        using var http = Http.Client(a.Str("url"));
        var tokens = Tokens.FromEnvironment();
        var seconds = a.Dbl("seconds", 40);
        var kind = a.Str("kind");
        var cpu = new CpuSpan(a.Int("pid"));
        long requests;
        if (kind == "writes")
        {
            var run = new LoadRun(http, tokens, DateTime.UtcNow.AddSeconds(seconds), a.Dbl("rate", 0));
            await log.WriteLineAsync($"the times below count from {DateTime.UtcNow:HH:mm:ss.fff} UTC");
            var rebuild = a.Value("rebuild-after") is { } after ? RebuildBeside.RunAsync(http, tokens, run, double.Parse(after, System.Globalization.CultureInfo.InvariantCulture)) : null;
            var next = await run.RunClustersAsync(a.Int("first-cluster"), int.MaxValue / 2 - a.Int("first-cluster"), a.Int("clients", 16));
            requests = run.Ok + run.Refused + run.Failed;
            foreach (var p in run.Problems.Take(3)) await log.WriteLineAsync("refused: " + p);
            var (p50, p99) = Stats.P50P99(run.Latencies.ToList());
            await log.WriteLineAsync($"next cluster {next}; {run.Ok} ok, {run.Refused} refused, {run.Failed} failed; p50 {p50:0.0} ms, p99 {p99:0.0} ms");
            if (rebuild is not null) foreach (var line in await rebuild) await log.WriteLineAsync(line);
            foreach (var slow in run.Timeline.OrderByDescending(t => t.Milliseconds).Take(a.Int("slowest", 0)))
                await log.WriteLineAsync($"  {slow.Milliseconds,8:0.0} ms at {slow.At,7:0.000} s  {slow.Url}");
        }
        else if (kind == "path")
        {
            var paths = a.Value("paths") is { } file ? File.ReadAllLines(file).Where(l => l.Length > 0).ToArray() : [a.Str("path")];
            var console = a.Value("console") is { } preset ? await ConsoleSession.SignInAsync(a.Str("url"), preset) : null;
            var token = tokens.For(null, Role.Auditor);
            var started = DateTime.UtcNow; // so that a profiler's timeline (a GC pause, say) can be set beside the slowest requests
            var (count, errors, times) = await SteadyReads.RunAsync(http, a.Int("clients", 4), seconds, r =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, paths[r.Next(paths.Length)]);
                if (console is not null) request.Headers.Add("Cookie", console);
                else request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return request;
            });
            requests = count;
            var (p50, p99) = Stats.P50P99(times.Select(t => t.Milliseconds).ToList());
            await log.WriteLineAsync($"{errors} errors; p50 {p50:0.0} ms, p99 {p99:0.0} ms; the times below count from {started:HH:mm:ss.fff} UTC");
            foreach (var slow in times.OrderByDescending(t => t.Milliseconds).Take(a.Int("slowest", 0)))
                await log.WriteLineAsync($"  {slow.Milliseconds,8:0.0} ms at {slow.StartedAt / 1000,6:0.000} s  {Uri.UnescapeDataString(slow.Path)}");
        }
        else
        {
            var ids = new List<Guid>();
            await using (var db = new Npgsql.NpgsqlConnection(a.Str("db")))
            {
                await db.OpenAsync();
                await using var cmd = new Npgsql.NpgsqlCommand("select id from mt_doc_institution order by md5(id::text) limit 5000", db);
                await using var rd = await cmd.ExecuteReaderAsync();
                while (await rd.ReadAsync()) ids.Add(rd.GetGuid(0));
            }
            var token = tokens.For(null, Role.Auditor);
            var (count, errors, times) = await SteadyReads.RunAsync(http, a.Int("clients", 4), seconds, r =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, $"/api/institutions/{ids[r.Next(ids.Count)]}");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return request;
            });
            requests = count;
            var (p50, p99) = Stats.P50P99(times.Select(t => t.Milliseconds).ToList());
            await log.WriteLineAsync($"{errors} errors; p50 {p50:0.00} ms, p99 {p99:0.00} ms");
        }
        var (service, harness, wall) = cpu.Stop();
        await log.WriteLineAsync($"{kind}: {requests} requests in {wall:0.0} s = {requests / wall:0}/s; service CPU {service * 1000 / requests:0.000} ms per request " +
                                 $"({service / wall:0.00} cores), harness {harness * 1000 / requests:0.000} ms; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        return 0;
    }
    case "bulk-load":
    {
        var summary = await BulkLoad.RunAsync(a.Str("db"), a.Str("file"), log);
        File.WriteAllText(a.Str("result"), summary.ToJsonString(options));
        return 0;
    }
    case "report":
        Report.Write(a.Str("dir"), a.Str("json"), a.Str("md"));
        return 0;
    default:
        await log.WriteLineAsync("usage: CareRegistry.Bench template|clone|measure|report [options] (see bench/run)");
        return 2;
}

// Closed-loop readers for `load`: each client sends the next request as soon as the last is read, until the time is up.
internal static class SteadyReads
{
    public static async Task<(long Count, long Errors, List<(string Path, double StartedAt, double Milliseconds)> Times)> RunAsync(HttpClient http, int clients, double seconds,
        Func<Random, HttpRequestMessage> next)
    {
        var sw = Stopwatch.StartNew();
        long count = 0, errors = 0;
        var times = new System.Collections.Concurrent.ConcurrentBag<(string, double, double)>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(w => Task.Run(async () =>
        {
            var r = new Random(w);
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                using var request = next(r);
                var started = sw.Elapsed.TotalMilliseconds;
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                times.Add((request.RequestUri!.OriginalString, started, sw.Elapsed.TotalMilliseconds - started));
                Interlocked.Increment(ref count);
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
            }
        })));
        return (count, errors, times.ToList());
    }
}

internal sealed class Args(string[] args)
{
    public string? Value(string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
    public bool Has(string name) => args.Contains("--" + name);
    public string Str(string name) => Value(name) ?? throw new ArgumentException($"--{name} is required");
    public int Int(string name, int? fallback = null) => Value(name) is { } v ? int.Parse(v) : fallback ?? throw new ArgumentException($"--{name} is required");
    public double Dbl(string name, double fallback) => Value(name) is { } v ? double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
