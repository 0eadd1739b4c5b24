using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using CareRegistry.Access;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Resilience;

// The registry as it runs in production: `dotnet CareRegistry.Api.dll` in a process of its own (the build puts it
// next to the test assembly), so a test can kill it outright. Its output is kept for failure messages.
public sealed class ServiceProcess : IAsyncDisposable
{
    public static readonly string SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static readonly DevTokens Tokens = new(SigningKey);

    // Short failure detection and a short idempotency claim, so a scenario sees recovery within seconds rather than
    // the production defaults (a dead node noticed after Wolverine's stale-node timeout, a dead claim freed after 60 s).
    public static readonly Dictionary<string, string> FastRecovery = new()
    {
        ["Wolverine__Durability__HealthCheckPollingTime"] = "00:00:01",
        ["Wolverine__Durability__StaleNodeTimeout"] = "00:00:05",
        ["Wolverine__Durability__CheckAssignmentPeriod"] = "00:00:02",
        ["Idempotency__ClaimTimeoutSeconds"] = "5",
    };

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        // Patient enough for an endpoint's first call (Wolverine compiles it then); a hang still ends as no answer.
        Client = ClientFor(port, TimeSpan.FromSeconds(120));
        Plain = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    // Acts as the right officer for each command, as the in-process tests do; bounded, so a hang is an answer too.
    // Bound to the port, not the process: a client outlives a service that is killed and started again there.
    public static HttpClient ClientFor(int port, TimeSpan? timeout = null) =>
        new(new RightOfficerHandler(Tokens) { InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) } })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    // No Authorization: health checks.
    public HttpClient Plain { get; }

    public string Output => string.Join('\n', _output.TakeLast(80));

    public static async Task<ServiceProcess> StartAsync(string connectionString, int? port = null, IDictionary<string, string>? settings = null)
    {
        port ??= PostgresCluster.FreePort();
        var service = new ServiceProcess(Process.Start(Start(connectionString, port.Value, settings, []))!, port.Value);
        service._process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        service._process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        await service.WaitUntilAsync("/health/live", HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        return service;
    }

    // A verb of the service's command line (`dotnet CareRegistry.Api.dll <args>`), with the service's settings, run to
    // its end (bounded): its exit code and everything it printed.
    public static async Task<(int ExitCode, string Output)> RunVerbAsync(string connectionString, TimeSpan bound, IDictionary<string, string>? settings,
        params string[] args)
    {
        using var process = Process.Start(Start(connectionString, PostgresCluster.FreePort(), settings, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(true); throw new Xunit.Sdk.XunitException($"{string.Join(' ', args)} did not finish within {bound.TotalSeconds} s:\n{await stdout}{await stderr}"); }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static ProcessStartInfo Start(string connectionString, int port, IDictionary<string, string>? settings, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CareRegistry.Api.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ConnectionStrings__CareRegistry"] = connectionString;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Auth__SigningKey"] = SigningKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return start;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 400) _output.TryDequeue(out _);
    }

    // Polls a plain route until it answers the status; fails with the service's output when it does not in time.
    public async Task<TimeSpan> WaitUntilAsync(string route, HttpStatusCode status, TimeSpan bound)
    {
        var watch = Stopwatch.StartNew();
        var last = "no answer";
        while (watch.Elapsed < bound)
        {
            if (_process.HasExited) throw new Xunit.Sdk.XunitException($"the service exited ({_process.ExitCode}):\n{Output}");
            try
            {
                using var answer = await Plain.GetAsync(route);
                if (answer.StatusCode == status) return watch.Elapsed;
                last = $"{(int)answer.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { last = e.Message; }
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException($"GET {route} did not answer {(int)status} within {bound.TotalSeconds} s (last: {last}):\n{Output}");
    }

    // SIGKILL: no shutdown hooks, no flushing — what a crash or an OOM kill does.
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    // SIGTERM: the host stops gracefully (Wolverine releases its agents).
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        await Processes.RunAsync("kill", "-TERM", _process.Id.ToString());
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _process.WaitForExitAsync(bound.Token); }
        catch (OperationCanceledException) { await KillAsync(); }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Plain.Dispose();
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
