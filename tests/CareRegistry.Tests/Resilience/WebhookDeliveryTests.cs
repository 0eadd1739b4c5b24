using System.Globalization;
using System.Net;
using System.Text;
using CareRegistry.Tests.Infrastructure;
using CareRegistry.Tests.Webhooks;
using Npgsql;
using Xunit.Abstractions;

namespace CareRegistry.Tests.Resilience;

// Issue 17's webhook scenario: a receiver that fails every third delivery and is restarted once, while the service is
// SIGKILLed once in the middle of a load of commands. Every event of the subscription arrives at least once — exactly
// once after the receiver drops duplicates by id — in order per stream, every signature valid. The figures are
// printed and written to .data/webhook-delivery.txt.
[Collection(ResilienceCollection.Name), Trait("Category", "Resilience")]
public sealed class WebhookDeliveryTests(ITestOutputHelper output)
{
    private const string Secret = "resilience-webhook-secret-0123456789abcdef";
    private static readonly string[] Types = ["institution-registered", "institution-beds-changed", "permit-application-submitted"];

    [ResilienceFact]
    public async Task Every_event_arrives_once_after_deduplication_in_order_per_stream_through_a_failing_receiver_and_a_killed_service()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var port = PostgresCluster.FreePort();
        var settings = new Dictionary<string, string>(ServiceProcess.FastRecovery)
        {
            ["Webhooks__FirstRetrySeconds"] = "0.5",
            ["Webhooks__MaxRetrySeconds"] = "5",
            // With retries capped at one cadence, a few retrying deliveries can fall into step with the receiver's
            // every-third failure so that one of them draws the 500 each time (seen once: parked after 8). Parking is
            // WebhookTests' subject; here every delivery must get through, so the scenario allows more attempts.
            ["Webhooks__MaxAttempts"] = "30",
        };
        var service = await ServiceProcess.StartAsync(cluster.ConnectionString(), port, settings);
        await using var receiver = new Receiver(Secret, n => n % 3 == 0 ? 500 : 204).Start();
        try
        {
            await Load.WarmUpAsync(service);
            using var client = ServiceProcess.ClientFor(port);
            var subscription = (await client.Post("/api/admin/webhooks", new { url = receiver.Url, eventTypes = Types, jurisdiction = "5301", secret = Secret }))
                .ShouldBe(HttpStatusCode.Created).Id;

            var load = new CommandLoad(() => client);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(clients: 4, perClient: 2_000, stop.Token);
            // Beside it, beds changes on the institutions registered so far, so that streams hold several events to order.
            var beds = ChangeBedsAsync(client, load, stop.Token);
            await receiver.UntilAcceptedAsync(15, TimeSpan.FromSeconds(90));

            // The receiver goes away for two seconds and comes back on the same port.
            await receiver.StopAsync();
            var receiverDown = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(2));
            receiver.Start();
            var acknowledged = load.Commands.Count(c => c.Acknowledged is not null);
            await Load.UntilAcknowledgedAsync(load, acknowledged + 10, TimeSpan.FromSeconds(60));

            // Mid-stream: the service dies with deliveries pending, in flight and scheduled for retry.
            await service.KillAsync();
            var killedAt = DateTimeOffset.UtcNow;
            var killedAfter = load.Commands.Count(c => c.Acknowledged is not null);
            var receivedBeforeKill = receiver.Requests.Count;
            await service.DisposeAsync();
            service = await ServiceProcess.StartAsync(cluster.ConnectionString(), port, settings);
            var restarted = DateTimeOffset.UtcNow;
            await Load.UntilAcknowledgedAsync(load, killedAfter + 20, TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            await running;
            await beds;
            var loadStopped = DateTimeOffset.UtcNow;

            // What the subscription must receive: every event of its types recorded after it, all in 530102 (inside 5301).
            var expected = await ExpectedAsync(cluster, subscription);
            Assert.True(expected.Count >= 40, $"only {expected.Count} events to deliver");
            IReadOnlyList<Receiver.Received> accepted;
            try { accepted = await receiver.UntilAcceptedAsync(expected.Count, TimeSpan.FromSeconds(240)); }
            catch (Xunit.Sdk.XunitException missing)
            {
                var received = receiver.Accepted.Select(a => a.Id).ToHashSet();
                var absent = expected.Where(e => !received.Contains(e.Sequence.ToString(CultureInfo.InvariantCulture))).Select(e => e.Sequence).ToList();
                throw new Xunit.Sdk.XunitException($"{missing.Message}; missing {string.Join(", ", absent)}:\n{await DiagnoseAsync(cluster, absent)}\n{service.Output}");
            }

            var requests = receiver.Requests.ToList();
            Assert.All(requests, r => Assert.True(r.SignatureValid, $"delivery {r.Id} (request {r.Number}) has an invalid signature: {r.Signature}"));
            Assert.Equal(expected.Select(e => e.Sequence.ToString(CultureInfo.InvariantCulture)).Order(), accepted.Select(a => a.Id).Order());
            foreach (var stream in accepted.GroupBy(a => a.Subject))
            {
                var order = stream.OrderBy(a => a.Number).Select(a => long.Parse(a.Id, CultureInfo.InvariantCulture)).ToList();
                Assert.True(order.SequenceEqual(order.Order()), $"stream {stream.Key} arrived out of order: {string.Join(", ", order)}");
            }
            foreach (var a in accepted)
                Assert.Equal(expected.Single(e => e.Sequence.ToString(CultureInfo.InvariantCulture) == a.Id).StreamId.ToString(), a.Subject);

            var ok = requests.Where(r => r.Status is >= 200 and < 300).ToList();
            var duplicates = ok.Count - accepted.Count;
            var refused = requests.Count(r => r.Status >= 500);
            var (recordedAttempts, delivered, parked) = await DeliveryRecordsAsync(cluster);
            Assert.Equal(0, parked);
            var latency = accepted.Select(a => (a.At - a.Time).TotalSeconds).Order().ToList();
            var after = accepted.Where(a => a.Time > restarted).Select(a => (a.At - a.Time).TotalSeconds).Order().DefaultIfEmpty(0).ToList();
            var before = accepted.Where(a => a.Time < killedAt).Select(a => (a.At - a.Time).TotalSeconds).Order().DefaultIfEmpty(0).ToList();
            var figures = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"webhook delivery under faults ({DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})")
                .AppendLine(CultureInfo.InvariantCulture, $"commands: {load.Figures()}")
                .AppendLine(CultureInfo.InvariantCulture, $"faults: receiver answers 500 to every third request and was down 2 s at {receiverDown:HH:mm:ss}; service SIGKILLed after {killedAfter} acknowledged commands ({receivedBeforeKill} requests received by then) and started again")
                .AppendLine(CultureInfo.InvariantCulture, $"events of the subscription: {expected.Count}; all received, exactly once after dropping duplicates by id, in order per stream ({accepted.Select(a => a.Subject).Distinct().Count()} streams, {accepted.GroupBy(a => a.Subject).Count(g => g.Count() > 1)} of them with several events, up to {accepted.GroupBy(a => a.Subject).Max(g => g.Count())}); signatures valid: {requests.Count}/{requests.Count}")
                .AppendLine(CultureInfo.InvariantCulture, $"requests received: {requests.Count} = {ok.Count} answered 2xx + {refused} answered 500; retries: {requests.Count - expected.Count} requests beyond one per event (the registry recorded {recordedAttempts} attempts for {delivered} deliveries: {recordedAttempts - delivered} retried attempts, those to the stopped receiver included, parked 0)")
                .AppendLine(CultureInfo.InvariantCulture, $"duplicates seen and dropped by the receiver: {duplicates}")
                .AppendLine(CultureInfo.InvariantCulture, $"when the commands stopped {accepted.Count(a => a.At <= loadStopped)} of the {accepted.Count} events had been received; the last arrived {(accepted.Max(a => a.At) - loadStopped).TotalSeconds:0.0} s later")
                .AppendLine(CultureInfo.InvariantCulture, $"time to deliver (event recorded → first 2xx receipt): p50 {Percentile(latency, 0.50):0.000} s, p99 {Percentile(latency, 0.99):0.000} s, max {latency[^1]:0.000} s")
                .AppendLine(CultureInfo.InvariantCulture, $"  of the {after.Count} events recorded after the restart: p50 {Percentile(after, 0.50):0.000} s, p99 {Percentile(after, 0.99):0.000} s; of the {before.Count} recorded before the kill: p50 {Percentile(before, 0.50):0.000} s, p99 {Percentile(before, 0.99):0.000} s (service down {(restarted - killedAt).TotalSeconds:0.0} s)");
            output.WriteLine(figures.ToString());
            if (RepositoryRoot() is { } root)
            {
                Directory.CreateDirectory(Path.Combine(root, ".data"));
                await File.WriteAllTextAsync(Path.Combine(root, ".data", "webhook-delivery.txt"), figures.ToString());
            }
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    // Changes the beds of a recently registered institution, one change after another, at most MaxBedChanges times
    // each; whether each was recorded is read from the log afterwards, so failures (the service down) are simply passed
    // over. The bound keeps a stream's chain short: unbounded, this loop kept changing the same few institutions, one
    // stream took 209 and 232 events (two runs), and delivering them in order through the receiver's failures took 159
    // and 175 s after the load stopped, near the 240 s the test allows.
    private const int MaxBedChanges = 10;

    private static async Task ChangeBedsAsync(HttpClient client, CommandLoad load, CancellationToken stop)
    {
        var n = 0;
        var changes = new Dictionary<Guid, int>();
        while (!stop.IsCancellationRequested)
        {
            var registered = load.Commands.Where(c => c.Kind == "register" && c.Acknowledged is not null).TakeLast(5)
                .Select(c => c.AnsweredId).Where(id => changes.GetValueOrDefault(id) < MaxBedChanges).ToList();
            if (registered.Count == 0) { await Task.Delay(100, CancellationToken.None); continue; }
            var institution = registered[n++ % registered.Count];
            changes[institution] = changes.GetValueOrDefault(institution) + 1;
            try
            {
                using var _ = await client.PostAsync($"/api/institutions/{institution}/beds", new StringContent(
                    $$"""{ "effectiveOn": "2021-01-{{n % 28 + 1:00}}", "beds": { "elderlyCare": {{100 + n}} } }""", Encoding.UTF8, "application/json"), CancellationToken.None);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { await Task.Delay(200, CancellationToken.None); }
        }
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task<List<(long Sequence, Guid StreamId)>> ExpectedAsync(PostgresCluster cluster, Guid subscription)
    {
        await using var connection = await cluster.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            select e.seq_id, e.stream_id from mt_events e
            where replace(e.type, '_', '-') = any($1)
              and e.seq_id > (select seq_id from mt_events where stream_id = $2 and version = 1)
            order by e.seq_id
            """, connection);
        cmd.Parameters.AddWithValue(Types);
        cmd.Parameters.AddWithValue(subscription);
        var rows = new List<(long, Guid)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetGuid(1)));
        return rows;
    }

    private static async Task<(long Attempts, long Delivered, long Parked)> DeliveryRecordsAsync(PostgresCluster cluster)
    {
        await using var connection = await cluster.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            select coalesce(sum((data->>'attempts')::int), 0), count(*) filter (where lower(data->>'status') = 'delivered'), count(*) filter (where lower(data->>'status') = 'parked')
            from mt_doc_webhookdelivery
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    // What the registry holds about deliveries that did not arrive: their records and Wolverine's envelopes.
    private static async Task<string> DiagnoseAsync(PostgresCluster cluster, IReadOnlyList<long> sequences)
    {
        var text = new StringBuilder();
        await using var connection = await cluster.OpenAsync();
        async Task Dump(string sql, params object[] args)
        {
            await using var cmd = new NpgsqlCommand(sql, connection);
            foreach (var a in args) cmd.Parameters.AddWithValue(a);
            try
            {
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    text.AppendLine(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : reader.GetValue(i).ToString())));
            }
            catch (PostgresException e) { text.AppendLine($"{sql}: {e.MessageText}"); }
        }
        await Dump("select id, data::text from mt_doc_webhookdelivery where (data->>'sequence')::bigint = any($1)", sequences.ToArray());
        await Dump("select table_schema, table_name from information_schema.tables where table_name like 'wolverine%'");
        await Dump("select status, owner_id, message_type, count(*) from wolverine_incoming_envelopes group by 1, 2, 3");
        await Dump("select message_type, exception_type, exception_message from wolverine_dead_letters limit 10");
        await Dump("select name, last_seq_id from mt_event_progression");
        await Dump("select id, node_number from wolverine_nodes");
        return text.ToString();
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CareRegistry.sln"))) return dir.FullName;
        return null;
    }
}
