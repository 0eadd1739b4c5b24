using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using CareRegistry.Common;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Resilience;

// A bounded load of commands as a careful client sends them: several clients, each registering an institution and
// then submitting a permit for it, every command with an Idempotency-Key, retried with the same key and body while
// the answer is 503 (after its Retry-After, capped), a 409 "still being processed", or no answer at all. Every
// attempt is recorded, so a test can hold each answer against the event log afterwards.
public sealed class CommandLoad(Func<HttpClient> client)
{
    public sealed record Attempt(int Status, string? ContentType, string? RetryAfter, string Text, int Port = 0);

    public sealed class Command(string kind, string route, string body, Guid key, string? uscc, Guid? institution)
    {
        public string Kind { get; } = kind;
        public string Route { get; } = route;
        public string Body { get; } = body;
        public Guid Key { get; } = key;
        public string? Uscc { get; } = uscc;
        public Guid? Institution { get; } = institution;
        private readonly List<Attempt> _attempts = [];

        // Read only under the lock (Attempts as a snapshot): List.Add publishes its new count before the element, so a
        // reader that enumerated the live list while a client recorded an attempt could see a null at its end.
        public IReadOnlyList<Attempt> Attempts { get { lock (_attempts) return [.. _attempts]; } }
        public Attempt? Acknowledged { get { lock (_attempts) return _attempts.Find(a => a.Status is >= 200 and < 300); } }
        public void Record(Attempt attempt) { lock (_attempts) _attempts.Add(attempt); }
        public Guid AnsweredId => Guid.Parse(JsonDocument.Parse(Acknowledged!.Text).RootElement.GetProperty("id").GetString()!);
        public override string ToString() => $"{Kind} {Route} key {Key}: {string.Join(", ", Attempts.Select(a => a.Status))}";
    }

    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(40);

    private readonly List<Command> _commands = [];

    // A snapshot, for the same reason as a command's attempts: the clients keep adding while the test reads.
    public IReadOnlyList<Command> Commands { get { lock (_commands) return [.. _commands]; } }

    private int _serial;

    // Runs `clients` clients until `stop` is cancelled or each has registered `perClient` institutions.
    public async Task RunAsync(int clients, int perClient, CancellationToken stop)
    {
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var n = 0; n < perClient && !stop.IsCancellationRequested; n++)
            {
                var serial = Interlocked.Increment(ref _serial);
                var uscc = Scenario.NewUscc("530102");
                var registration = Scenario.CareHome($"韧性测试养老院{serial}", "530102", uscc);
                var register = await SendAsync(new Command("register", "/api/institutions", JsonSerializer.Serialize(registration, Json.Options), Guid.NewGuid(), uscc, null));
                if (register.Acknowledged is null) continue;
                var institution = register.AnsweredId;
                var permit = new SubmitPermit(PermitType.ElderlyCare, null, new DateOnly(2016, 1, 1), null, null);
                await SendAsync(new Command("permit", $"/api/institutions/{institution}/permits", JsonSerializer.Serialize(permit, Json.Options), Guid.NewGuid(), null, institution));
            }
        }, CancellationToken.None)));
    }

    private async Task<Command> SendAsync(Command command)
    {
        lock (_commands) _commands.Add(command);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var attempt = await AttemptAsync(command);
            command.Record(attempt);
            var retry = attempt.Status is 0 or 503 || (attempt.Status == 409 && attempt.Text.Contains("still being processed"));
            if (!retry || watch.Elapsed > RetryFor) return command;
            var wait = int.TryParse(attempt.RetryAfter, out var seconds) ? Math.Min(seconds * 1000, 1000) : 300;
            await Task.Delay(wait);
        }
    }

    public async Task<Attempt> AttemptAsync(Command command)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, command.Route) { Content = new StringContent(command.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", command.Key.ToString());
        var http = client();
        var port = http.BaseAddress!.Port;
        try
        {
            using var response = await http.SendAsync(request);
            return new Attempt((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString("0"), await response.Content.ReadAsStringAsync(), port);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // No answer: refused while the service is down, or a request that hung past the client's timeout.
            return new Attempt(0, null, null, $"{e.GetType().Name}: {e.Message}", port);
        }
    }

    public IEnumerable<Attempt> AllAttempts
    {
        get => Commands.SelectMany(c => c.Attempts).ToList();
    }

    public string Figures()
    {
        var attempts = AllAttempts.ToList();
        return $"{Commands.Count} commands, {attempts.Count} attempts: " +
               string.Join(", ", attempts.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
    }
}
