using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CareRegistry.Statistics;

// Brings up to date, in the background, the districts' figures that a read took while stale (AreaSummaries). One
// round computes every district waiting, then rests four times as long as it worked, so that refreshing takes at
// most a fifth of one connection's time however fast the writes make figures stale: a district is ready again within
// a fraction of a second, the nation at this bench's scale within half a minute. Each node refreshes what its own
// reads took; two nodes computing the same district store the same figures.
public sealed class AreaFiguresRefresher(NpgsqlDataSource db, IConfiguration configuration, ILogger<AreaFiguresRefresher> logger) : BackgroundService
{
    private readonly Lock gate = new();
    private readonly Dictionary<DateOnly, HashSet<string>> waiting = new();
    private readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

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
        return new Staleness(maxAge, this);
    }

    public Staleness Default => new(MaxAge, this);

    public void Refresh(DateOnly day, IEnumerable<string> districts)
    {
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
            while (await signal.Reader.WaitToReadAsync(ct))
            {
                signal.Reader.TryRead(out _);
                List<(DateOnly Day, string[] Districts)> round;
                lock (gate)
                {
                    round = waiting.Select(w => (w.Key, w.Value.ToArray())).ToList();
                    waiting.Clear();
                }
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                foreach (var (day, districts) in round)
                {
                    try
                    {
                        await AreaSummaries.RefreshAsync(db, day, districts, ct);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        // The figures stay stale; a later read past the maximum age computes them itself.
                        logger.LogWarning(e, "refreshing the figures of {Count} districts on {Day} failed", districts.Length, day);
                    }
                }
                await Task.Delay(System.Diagnostics.Stopwatch.GetElapsedTime(started) * 4, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}

public static class AreaFiguresRefresherRegistration
{
    public static IServiceCollection AddAreaFiguresRefresher(this IServiceCollection services) =>
        services.AddSingleton<AreaFiguresRefresher>().AddHostedService(sp => sp.GetRequiredService<AreaFiguresRefresher>());
}
