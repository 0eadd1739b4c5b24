using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using CareRegistry.Common;
using Npgsql;

namespace CareRegistry.Statistics;

// Keeps the districts' stored figures (AreaSummaries) up to date in the background, so that a table read under writes
// finds them current or young. Every few seconds (Statistics:RefreshSeconds, 5), and at once when a read took stale
// figures, a round computes every district whose figures somebody reads (stored for today or yesterday: so they also
// roll over at midnight) and which has changed since, then rests four times as long as it worked: refreshing takes at
// most a fifth of one connection's time however fast the writes come, a district is current again within a fraction
// of a second, the nation at this bench's scale within half a minute. Stale figures of a past day that a read took are
// refreshed in the same round. With several nodes one refreshes at a time (an advisory lock).
public sealed class AreaFiguresRefresher(NpgsqlDataSource db, TimeProvider clock, IConfiguration configuration, ILogger<AreaFiguresRefresher> logger) : BackgroundService
{
    private readonly Lock gate = new();
    private readonly Dictionary<DateOnly, HashSet<string>> waiting = new();
    private readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TimeSpan every = TimeSpan.FromSeconds(Math.Max(0.1, configuration.GetValue("Statistics:RefreshSeconds", 5.0)));
    private readonly SemaphoreSlim rounds = new(1, 1);

    // How old a stale district's figures a read takes by default (Statistics:FiguresMaxAgeSeconds, 60).
    public TimeSpan MaxAge { get; } = TimeSpan.FromSeconds(Math.Max(0, configuration.GetValue("Statistics:FiguresMaxAgeSeconds", 60.0)));

    // What a read of figures believed now may take: the default, or less when the request asks for less with
    // Cache-Control (no-cache or max-age=0: every figure computed from the facts as projected). A header that does
    // not parse asks nothing, as HTTP caches treat it.
    public Staleness For(HttpRequest request)
    {
        var asked = request.GetTypedHeaders().CacheControl;
        var maxAge = asked switch
        {
            { NoCache: true } => TimeSpan.Zero,
            { MaxAge: { } age } when age < MaxAge => age < TimeSpan.Zero ? TimeSpan.Zero : age,
            _ => MaxAge,
        };
        return new Staleness(maxAge, this, clock);
    }

    public Staleness Default => new(MaxAge, this, clock);

    // A read took these districts' figures of the day while stale. Today's are every round's anyway (they are read, so
    // warm): only a past day's are kept for the next round.
    public void Refresh(DateOnly day, IEnumerable<string> districts)
    {
        if (day != clock.Today())
            lock (gate)
            {
                if (!waiting.TryGetValue(day, out var set)) waiting[day] = set = [];
                set.UnionWith(districts);
            }
        signal.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    wait.CancelAfter(every);
                    try { await signal.Reader.ReadAsync(wait.Token); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
                }
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var computed = await RoundAsync(ct);
                if (computed > 0) await Task.Delay(System.Diagnostics.Stopwatch.GetElapsedTime(started) * 4, clock, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    // No round runs until the answer is disposed (one in progress is waited for): for emptying the registry, which a
    // round storing figures of the facts it read before would refill.
    public async Task<IAsyncDisposable> PauseAsync()
    {
        await rounds.WaitAsync();
        return new Resume(rounds);
    }

    private sealed class Resume(SemaphoreSlim rounds) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            rounds.Release();
            return ValueTask.CompletedTask;
        }
    }

    // Today's districts that somebody reads, and the past days' districts that reads took stale: how many it computed.
    public async Task<int> RoundAsync(CancellationToken ct)
    {
        await rounds.WaitAsync(ct);
        try { return await RoundUnpausedAsync(ct); }
        finally { rounds.Release(); }
    }

    private async Task<int> RoundUnpausedAsync(CancellationToken ct)
    {
        var today = clock.Today();
        List<(DateOnly Day, string[] Districts)> past;
        lock (gate)
        {
            past = waiting.Where(w => w.Key != today).Select(w => (w.Key, w.Value.ToArray())).ToList();
            waiting.Clear();
        }
        var computed = await RefreshAsync(today, null, ct);
        foreach (var (day, districts) in past) computed += await RefreshAsync(day, districts, ct);
        return computed;
    }

    // One day's districts (null: every warm one); how many it computed, none when it gave way or failed.
    private async Task<int> RefreshAsync(DateOnly day, string[]? districts, CancellationToken ct)
    {
        try
        {
            return await AreaSummaries.RefreshAsync(db, day, districts, clock.GetUtcNow(), ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            // Something holds the facts or the figures (a rebuild's swap): the refresher gives way and comes back.
            logger.LogDebug(e, "refreshing the districts' figures on {Day} gave way to a lock", day);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The figures stay stale; a later read past the maximum age computes them itself.
            logger.LogWarning(e, "refreshing the districts' figures on {Day} failed", day);
        }
        return 0;
    }
}

public static class AreaFiguresRefresherRegistration
{
    public static IServiceCollection AddAreaFiguresRefresher(this IServiceCollection services) =>
        services.AddSingleton<AreaFiguresRefresher>().AddHostedService(sp => sp.GetRequiredService<AreaFiguresRefresher>());
}
