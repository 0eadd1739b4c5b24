using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CareRegistry.Tests.Resilience;

// A PostgreSQL cluster of the test's own, in a temporary folder on a free loopback port, so a test may stop and
// start it under a running service. Root runs it as 'postgres' (initdb refuses root).
public sealed class PostgresCluster : IAsyncDisposable
{
    public const string Superuser = "careregistry";
    public const string Database = "careregistry";

    private readonly string _folder;
    private readonly string _bin;

    private PostgresCluster(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_folder, "data");

    public string LogFile => Path.Combine(_folder, "server.log");

    public string ConnectionString(string extra = "") =>
        $"Host=127.0.0.1;Port={Port};Database={Database};Username={Superuser};{extra}";

    // The newest server under /usr/lib/postgresql (Debian's layout); null where there is none (a laptop that uses
    // Testcontainers instead).
    public static string? BinDirectory { get; } = FindBinDirectory();

    private static string? FindBinDirectory() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderBy(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .LastOrDefault()
            : null;

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = BinDirectory ?? throw new InvalidOperationException("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin");
        var folder = Path.Combine(Path.GetTempPath(), "careregistry-resilience-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        if (IsRoot) await Processes.RunAsync("chown", "postgres:", folder);
        var cluster = new PostgresCluster(bin, folder, FreePort());
        await cluster.AsPostgres("initdb", "-D", cluster.DataDirectory, "-U", Superuser, "-E", "UTF8", "--locale=C.UTF-8", "--auth=trust");
        await cluster.StartServerAsync();
        await using var admin = new NpgsqlConnection($"Host=127.0.0.1;Port={cluster.Port};Database=postgres;Username={Superuser}");
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"create database {Database}", admin);
        await create.ExecuteNonQueryAsync();
        return cluster;
    }

    // On the same port, so a running service finds it again by its connection string.
    public Task StartServerAsync() => AsPostgres("pg_ctl", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "30", "-o",
        $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories={_folder} -c max_connections=100", "start");

    // Fast: every session is ended and its open transaction rolled back, as when a server is restarted for
    // maintenance.
    public Task StopAsync() => AsPostgres("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop");

    private Task AsPostgres(string tool, params string[] args)
    {
        var path = Path.Combine(_bin, tool);
        return IsRoot ? Processes.RunAsync("runuser", ["-u", "postgres", "--", path, .. args]) : Processes.RunAsync(path, args);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString("Pooling=false"));
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        try { await AsPostgres("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"); }
        catch (InvalidOperationException) { /* already stopped */ }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class Processes
{
    // Runs a tool to completion (bounded); a failure carries the tool's output.
    public static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(true); throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish within 60 s"); }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stdout}{await stderr}");
    }
}
