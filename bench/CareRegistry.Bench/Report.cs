using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CareRegistry.Bench;

// Joins the step results of one bench/run into latest.json and a Markdown table with each target beside its figure.
public static class Report
{
    private static JsonObject Load(string dir, string name) =>
        File.Exists(Path.Combine(dir, name)) ? JsonNode.Parse(File.ReadAllText(Path.Combine(dir, name)))!.AsObject() : new JsonObject();

    private static double Num(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;

    public static void Write(string dir, string jsonPath, string mdPath)
    {
        var run = Load(dir, "run.json");
        var machine = Load(dir, "machine.json");
        var template = Load(dir, "template.json");
        var clone = Load(dir, "clone.json");
        var import = Load(dir, "import.json");
        var pgbench = Load(dir, "pgbench.json");
        var m = Load(dir, "measure.json");

        var writes = (m["writes"]?.DeepClone() as JsonObject) ?? new JsonObject();
        var service = Num(writes["commandsPerSecond"]);
        // pgbench's trials alternate with the service's (measure --pgbench); older runs ran them before the service started.
        var alternating = writes["pgbenchTps"] is not null;
        var pg = alternating ? Num(writes["pgbenchTps"]) : Num(pgbench["tps"]);
        writes["pgbenchTps"] = Stats.R(pg, 0);
        if (!alternating) writes["pgbenchTpsTrials"] = pgbench["tpsTrials"]?.DeepClone();
        writes["pgbenchAlternating"] = alternating;
        writes["ratio"] = Stats.R(service / pg, 3);

        var json = new JsonObject
        {
            ["run"] = run.DeepClone(),
            ["machine"] = machine.DeepClone(),
            ["scale"] = new JsonObject
            {
                ["institutions"] = m["scaleAtEnd"]?["institutions"]?.DeepClone() ?? clone["institutions"]?.DeepClone(),
                ["events"] = m["scaleAtEnd"]?["events"]?.DeepClone() ?? clone["events"]?.DeepClone(),
                ["streams"] = m["scaleAtEnd"]?["streams"]?.DeepClone(),
                ["sequenceGaps"] = m["scaleAtEnd"]?["sequenceGaps"]?.DeepClone(),
                ["importedInstitutions"] = clone["institutions"]?.DeepClone(), ["importedEvents"] = clone["events"]?.DeepClone(),
                ["templateInstitutionsOverHttp"] = (int)Num(template["clusters"]) * DataSet.ClusterSize,
            },
            ["writes"] = writes,
            ["pgbench"] = pgbench.DeepClone(),
            ["reads"] = m["reads"]?.DeepClone(),
            ["tablesUnderWrites"] = m["tablesUnderWrites"]?.DeepClone(),
            ["projectionLag"] = m["projectionLag"]?.DeepClone(),
            ["rebuildEventsPerSecond"] = m["rebuildEventsPerSecond"]?.DeepClone(),
            ["rebuild"] = m["rebuild"]?.DeepClone(),
            ["verifyEventsPerSecond"] = m["verifyEventsPerSecond"]?.DeepClone(),
            ["verify"] = m["verify"]?.DeepClone(),
            ["peakRssMb"] = m["peakRssMb"]?.DeepClone(),
            ["rssMbByPhase"] = m["rssMbByPhase"]?.DeepClone(),
            ["databaseMb"] = m["databaseMb"]?.DeepClone(),
            ["databaseMbPerMillionEvents"] = m["databaseMbPerMillionEvents"]?.DeepClone(),
            ["largestTablesMb"] = m["largestTablesMb"]?.DeepClone(),
            ["asyncCatchUp"] = m["asyncCatchUp"]?.DeepClone(),
            ["pgStatStatements"] = m["pgStatStatements"]?.DeepClone(),
            ["loading"] = new JsonObject { ["templateOverHttp"] = template.DeepClone(), ["clone"] = clone.DeepClone(), ["import"] = import.DeepClone() },
        };
        File.WriteAllText(jsonPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");

        string F(double v, string fmt = "0.##") => double.IsFinite(v) ? v.ToString(fmt, CultureInfo.InvariantCulture) : "–";
        // The samples over the target and the projection each waited for.
        string SlowLag(JsonNode? lag) => lag?["over500Ms"] is JsonArray { Count: > 0 } slow ? "; over 500 ms: " + string.Join(", ", slow.Select(x => x!.ToString())) : "";
        string Range(JsonNode? trials, string fmt = "0.##") => trials is null ? "" : $" ({F(Num(trials["min"]), fmt)}–{F(Num(trials["max"]), fmt)})";
        string Met(bool ok) => ok ? "met" : "**missed**";

        var md = new StringBuilder();
        md.AppendLine($"# Benchmark results ({run["mode"]?.GetValue<string>() ?? "?"} run, {run["finishedAt"]?.GetValue<string>() ?? ""})");
        md.AppendLine();
        var load = machine["loadAverage"];
        md.AppendLine($"Machine: {machine["cores"]} cores, {machine["memoryGb"]} GB, {machine["os"]}, PostgreSQL {machine["postgresVersion"]} (settings in latest.json). " +
                      (load is null ? "Load not measured."
                          : $"Load average (1 min): {load["before"]} before the run, {load["during"]?["mean"]} on average and {load["during"]?["max"]} at most " +
                            $"during it ({load["during"]?["samples"]} samples, every 5 s), {load["after"]} after; on {machine["cores"]} cores, a load near " +
                            "or above the core count means other work shared the machine and the figures are noisy."));
        md.AppendLine();
        md.AppendLine($"Scale: {json["scale"]!["institutions"]} institutions, {json["scale"]!["events"]} events ({json["scale"]!["importedEvents"]} imported from a cloned " +
                      $"template of {json["scale"]!["templateInstitutionsOverHttp"]} institutions loaded over HTTP; the rest written over HTTP by the write trials).");
        md.AppendLine();
        md.AppendLine("Each figure is the median of the trials, with (min–max) over the trials.");
        md.AppendLine();
        md.AppendLine("| figure | measured | target | |");
        md.AppendLine("| --- | --- | --- | --- |");
        var ratio = Num(writes["ratio"]);
        md.AppendLine($"| writes over HTTP, {writes["clients"]} clients, command mix{(writes["warmUpSeconds"] is { } warmUp ? $", after {F(Num(warmUp), "0")} s of warm-up" : "")} | {F(service, "0")} commands/s{Range(writes["commandsPerSecondTrials"], "0")} | | |");
        md.AppendLine($"| pgbench one-row INSERT, same clients{(alternating ? ", each trial just before one of the service's" : ", before the service's trials")} | {F(pg, "0")} TPS{Range(writes["pgbenchTpsTrials"], "0")} | | |");
        md.AppendLine($"| ratio service / pgbench | {F(ratio, "0.000")} | ≥ 0.10 | {Met(ratio >= 0.10)} |");
        var profile = m["pgStatStatements"]?["writes"];
        var perCommand = Num(profile?["statementsPerCommand"]);
        if (profile is null) md.AppendLine("| SQL statements per command (pg_stat_statements) | not profiled (bench/run --no-profile) | ≤ 8 | |");
        else md.AppendLine($"| SQL statements per command (pg_stat_statements, the commands' own; {F(Num(profile["statementsPerCommandWithBackground"]))} with the daemon's and Wolverine's beside them" +
                           (profile["functionBodiesPerCommand"] is { } bodies ? $"; not counted: {F(Num(bodies))} bodies of the functions index expressions call" : "") + ") | " +
                           $"{F(perCommand)} ({profile["commands"]} commands) | ≤ 8 | {Met(perCommand <= 8)} |");
        if (writes["cpu"] is { } cpu)
            md.AppendLine($"| service CPU per command, saturated trials (user + system of its process; {F(Num(cpu["serviceCores"]))} cores busy; harness {F(Num(cpu["harnessMsPerCommand"]), "0.000")} ms) | " +
                          $"{F(Num(cpu["serviceMsPerCommand"]), "0.000")} ms ({cpu["commands"]} commands) | | |");
        var p99Half = Num(writes["p99Ms"]);
        md.AppendLine($"| command latency at {writes["latencyRatePerSecond"]} commands/s (half the maximum{(writes["asyncCatchUpBeforePacedTrials"]?["seconds"] is { } settled ? $"; begun once the daemon had caught up with the saturated trials, {F(Num(settled))} s after them" : "")}) p50 / p99 | {F(Num(writes["p50Ms"]))}{Range(writes["p50MsTrials"])} / {F(p99Half)}{Range(writes["p99MsTrials"])} ms | p99 ≤ 20 ms | {Met(p99Half <= 20)} |");
        if (m["reads"] is JsonObject reads)
            foreach (var (name, node) in reads)
            {
                var target = Num(node!["targetP99Ms"]);
                if (node["skipped"] is { } why) { md.AppendLine($"| read `{name}`: {node["what"]} | skipped: {why} | p99 ≤ {F(target)} ms | |"); continue; }
                var p99 = Num(node["p99Ms"]);
                var cpuRead = Num(node["serviceCpuMsPerRequest"]);
                md.AppendLine($"| read `{name}`: {node["what"]} p50 / p99 | {F(Num(node["p50Ms"]))}{Range(node["p50MsTrials"])} / {F(p99)}{Range(node["p99MsTrials"])} ms" +
                              $"{(double.IsFinite(cpuRead) ? $"; service CPU {F(cpuRead, "0.000")} ms per request" : "")} | p99 ≤ {F(target)} ms | {Met(p99 <= target)}{(Num(node["errors"]) > 0 ? $" ({node["errors"]} errors)" : "")} |");
            }
        if (m["tablesUnderWrites"] is JsonObject under)
        {
            foreach (var (name, node) in under.Where(kv => kv.Value is JsonObject o && o.ContainsKey("what")))
            {
                var p99 = Num(node!["p99Ms"]);
                md.AppendLine($"| read `{name}` under writes: {node["what"]} ({under["commandsPerSecond"]} commands/s), p50 / p99 | {F(Num(node["p50Ms"]))} / {F(p99)} ms " +
                              $"({node["reads"]} reads, one every 1.5 s; {node["tookStaleFigures"]} took figures up to {F(Num(node["oldestFiguresSeconds"]))} s old) | p99 ≤ 50 ms | {Met(p99 <= 50)} |");
            }
            md.AppendLine($"| command latency beside those reads p50 / p99 | {F(Num(under["commandP50Ms"]))} / {F(Num(under["commandP99Ms"]))} ms ({under["commands"]} commands) | | |");
        }
        var lag = m["projectionLag"];
        if (lag?["skipped"] is { } lagSkip) md.AppendLine($"| async projection lag p50 / p99 | skipped: {lagSkip} | p99 ≤ 500 ms | |");
        else
        {
            // A shard that stopped is not in the lag (only shards that moved are sampled): the figure does not count then.
            var stalled = m["stalledShards"] is JsonArray { Count: > 0 } st ? string.Join(", ", st.Select(x => x!.ToString())) : null;
            var shards = lag?["shards"] is JsonArray sh ? string.Join(", ", sh.Select(x => x!.ToString())) : "?";
            md.AppendLine($"| async projection lag p50 / p99 (under the half-rate write load; shards {shards}) | {F(Num(lag?["p50Ms"]), "0")} / {F(Num(lag?["p99Ms"]), "0")} ms ({lag?["samples"]} samples{SlowLag(lag)}; sequence gaps in the log: {m["scaleAtEnd"]?["sequenceGaps"]?.ToString() ?? "?"})" +
                          (stalled is null ? "" : $"; **stopped shards: {stalled}**") + $" | p99 ≤ 500 ms | {Met(stalled is null && Num(lag?["p99Ms"]) <= 500)} |");
        }
        var rebuild = Num(m["rebuildEventsPerSecond"]);
        md.AppendLine($"| projection rebuild | {F(rebuild, "0")} events/s{Range(m["rebuild"]?["eventsPerSecondTrials"], "0")} | ≥ 20,000 | {Met(rebuild >= 20000)} |");
        var verify = Num(m["verifyEventsPerSecond"]);
        md.AppendLine($"| audit verify | {F(verify, "0")} events/s{Range(m["verify"]?["eventsPerSecondTrials"], "0")} | ≥ 100,000 | {Met(verify >= 100000)} |");
        var rss = Num(m["peakRssMb"]);
        md.AppendLine($"| service peak RSS (VmHWM) | {F(rss, "0")} MB | ≤ 400 MB | {Met(rss <= 400)} |");
        var perMillion = Num(m["databaseMbPerMillionEvents"]);
        md.AppendLine($"| database size | {F(Num(m["databaseMb"]), "0")} MB, {F(perMillion, "0")} MB per million events | ≤ 2,560 MB per million events | {Met(perMillion <= 2560)} |");
        var wall = Num(run["durationSeconds"]);
        var full = run["mode"]?.GetValue<string>() == "full";
        var quick = run["mode"]?.GetValue<string>() == "quick";
        if (full || quick)
            md.AppendLine($"| bench/run wall time ({run["mode"]}) | {F(wall / 60, "0.0")} min | ≤ {(full ? 30 : 3)} min | {Met(wall <= (full ? 1800 : 180))} |");
        var importRate = Num(import["eventsPerSecond"]);
        if (double.IsFinite(importRate)) md.AppendLine($"| loading the cloned log: {import["via"]} | {F(importRate, "0")} events/s ({F(Num(import["seconds"]), "0")} s) | | |");
        if (m["projectionLag"]?["slowSamples"] is JsonArray { Count: > 0 } samples)
        {
            md.AppendLine();
            md.AppendLine("## Lag samples that waited over 300 ms: what ran meanwhile");
            md.AppendLine();
            md.AppendLine("Each sample's CPU over its whole wait (the service's cores, and the whole machine's busy and I/O-wait cores), then the");
            md.AppendLine("database sessions at work at each look (every 300 ms of waiting): what each waits on, how long its transaction has run.");
            md.AppendLine();
            foreach (var sample in samples)
            {
                md.AppendLine($"- {sample!["lagMs"]} ms at {sample["atSecond"]} s into the lag probe, waiting for {sample["waitingFor"]}: service {sample["serviceCores"]} cores, " +
                              $"machine busy {sample["machineBusyCores"]}, I/O wait {sample["machineIoWaitCores"]}");
                foreach (var look in sample["looks"]!.AsArray())
                {
                    var sessions = look!["sessions"]!.AsArray().Select(x => x!.ToString()).ToList();
                    md.AppendLine($"  - at {look["waitedMs"]} ms (load {look["loadAverage"]}): {sessions.Count} active" + (sessions.Count == 0 ? "" : ": " + string.Join("; ", sessions.Take(6).Select(x => $"`{x.Replace("`", "'")}`"))));
                }
            }
        }
        File.WriteAllText(mdPath, md.ToString());
    }
}
