using System.Diagnostics;
using System.Diagnostics.Metrics;
using CareRegistry.Jurisdictions;
using CareRegistry.Statistics;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace CareRegistry.Common;

// The registry's own meter, beside what ASP.NET Core, Wolverine, Marten and Npgsql publish: commands by route and
// status, how far each async projection trails the event log, the alerts that stand today by type, and the result
// of the last hash-chain verification. docs/operations.md describes each instrument; ops/grafana-dashboard.json
// draws them.
public static class RegistryMetrics
{
    public const string MeterName = "CareRegistry";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Commands = Meter.CreateCounter<long>("careregistry.commands", "{command}",
        "Commands answered, by route template and HTTP status");

    private static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>("careregistry.command.duration", "s",
        "Time to answer a command, by route template and HTTP status");

    // Written by the sampler and by verification, read by the observable instruments when a reader collects.
    private static volatile IReadOnlyList<Measurement<long>> _lag = [];
    private static volatile IReadOnlyList<Measurement<long>> _alerts = [];
    private static volatile VerifyResult? _verify;

    private sealed record VerifyResult(bool Ok, long Breaks, long Events, DateTimeOffset At, double Seconds);

    static RegistryMetrics()
    {
        Meter.CreateObservableGauge("careregistry.projection.lag", () => _lag, "{event}",
            "Events recorded that an async projection shard has not read yet (last event sequence minus the shard's position)");
        Meter.CreateObservableGauge("careregistry.alerts", () => _alerts, "{alert}",
            "Alerts standing today across the nation, by alert type");
        Meter.CreateObservableGauge("careregistry.audit.verify.ok", () => Verified(v => v.Ok ? 1L : 0L), null,
            "1 when the last hash-chain verification found no break, 0 when it found one");
        Meter.CreateObservableGauge("careregistry.audit.verify.breaks", () => Verified(v => v.Breaks), "{break}",
            "Breaks the last hash-chain verification found");
        Meter.CreateObservableGauge("careregistry.audit.verify.events", () => Verified(v => v.Events), "{event}",
            "Events the last hash-chain verification checked");
        Meter.CreateObservableGauge("careregistry.audit.verify.time", () => Verified(v => v.At.ToUnixTimeMilliseconds() / 1000.0), "s",
            "When the last hash-chain verification finished (Unix time)");
        Meter.CreateObservableGauge("careregistry.audit.verify.duration", () => Verified(v => v.Seconds), "s",
            "How long the last hash-chain verification took");
    }

    // Nothing until a verification has run in this process (GET /api/audit/verify or audit-verify).
    private static IEnumerable<Measurement<T>> Verified<T>(Func<VerifyResult, T> value) where T : struct =>
        _verify is { } v ? [new Measurement<T>(value(v))] : [];

    public static void RecordVerify(string status, long breaks, long events, double seconds) =>
        _verify = new VerifyResult(status == "ok", breaks, events, DateTimeOffset.UtcNow, seconds);

    // Counts each command (a POST under /api) once its answer is complete, so the status is the one the client got,
    // after the exception handler and the idempotency replay had their say.
    public static IApplicationBuilder UseCommandMetrics(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Path.StartsWithSegments("/api"))
        {
            await next(http);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        http.Response.OnCompleted(() =>
        {
            // The template, not the path: one series per route, whatever ids the requests carry.
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { } raw ? "/" + raw.TrimStart('/') : "unmatched";
            var tags = new TagList { { "http.route", route }, { "http.response.status_code", http.Response.StatusCode } };
            Commands.Add(1, tags);
            CommandDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            return Task.CompletedTask;
        });
        await next(http);
    });

    internal static void SetLag(IReadOnlyList<Measurement<long>> lag) => _lag = lag;

    internal static void SetAlerts(IReadOnlyList<Measurement<long>> alerts) => _alerts = alerts;
}

// Reads what the observable gauges report from the database every Telemetry:SampleSeconds (default 15): the
// instruments' callbacks must be quick and cannot wait on a query. Every node samples the same tables, so a
// dashboard takes the maximum over nodes. A failed sample (the database away) keeps the last values and is
// logged at Debug: /health/ready already says the database is unreachable.
public sealed class RegistryMetricsSampler(IDocumentStore store, NpgsqlDataSource db, TimeProvider clock, IConfiguration configuration,
    ILogger<RegistryMetricsSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var every = TimeSpan.FromSeconds(configuration.GetValue("Telemetry:SampleSeconds", 15.0));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogDebug(e, "metrics sample failed");
            }
            try { await Task.Delay(every, clock, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    public async Task SampleAsync(CancellationToken ct)
    {
        var options = (StoreOptions)store.Options;
        var schema = options.Events.DatabaseSchemaName;
        long last;
        await using (var cmd = db.CreateCommand($"select coalesce(max(seq_id), 0) from {schema}.mt_events"))
            last = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
        var progress = (await store.Advanced.AllProjectionProgress(token: ct)).ToDictionary(s => s.ShardName, s => s.Sequence);
        RegistryMetrics.SetLag(options.Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Async)
            .SelectMany(p => p.ShardNames())
            .Select(s => new Measurement<long>(Math.Max(0, last - progress.GetValueOrDefault(s.Identity)), new KeyValuePair<string, object?>("shard", s.Identity)))
            .ToList());

        // As GET /api/alerts?jurisdiction=00 counts them today: the standing alert facts and the demerit rule the alerts
        // list applies, counted from the alerts' and the demerit intervals' partial indexes (about 25 ms at 50,000
        // institutions). Not from the districts' stored figures: under writes nearly every district is stale by the next
        // sample, and recomputing the nation's figures every 15 s took 6 s of a core each time. In one process: a gauge
        // nobody waits for should not take every core from the commands for its moment (PostgreSQL would otherwise
        // plan parallel workers for the nation).
        var counts = AlertTypes.All.ToDictionary(t => t, _ => 0L);
        await using var session = store.QuerySession();
        await using (var serial = await SerialTransaction.BeginAsync(db, ct))
        {
            foreach (var (type, count) in await AlertQueries.CountByTypeFromFactsAsync(session, serial.Connection, "", clock.Today(), null, null, ct)) counts[type] = count;
            await serial.Transaction.CommitAsync(ct);
        }
        RegistryMetrics.SetAlerts(counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("alert.type", c.Key))).ToList());
    }
}
