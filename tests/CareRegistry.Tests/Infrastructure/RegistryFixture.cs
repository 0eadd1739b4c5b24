using Alba;
using CareRegistry.Access;
using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Testcontainers.PostgreSql;
using Wolverine;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace CareRegistry.Tests.Infrastructure;

// One host for every HTTP test, against a real PostgreSQL: CAREREGISTRY_TEST_DB when set (ops/test sets it),
// otherwise a throwaway container (a laptop with Docker).
public sealed class RegistryFixture : IAsyncLifetime
{
    private PostgreSqlContainer? _container;

    public IAlbaHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    // Everything logged at Warning and above (the level the host runs at here).
    public LogCapture Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("CAREREGISTRY_TEST_DB");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            _container = new PostgreSqlBuilder("postgres:15-alpine").Build();
            await _container.StartAsync();
            connectionString = _container.GetConnectionString();
        }

        // Program reads the connection string while it builds, so it is handed over as the environment would.
        Environment.SetEnvironmentVariable("ConnectionStrings__CareRegistry", connectionString);
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        Environment.SetEnvironmentVariable("Auth__SigningKey", SigningKey);
        // The figures refresher runs its rounds when a read asks (or a test calls RoundAsync), not on its own clock, so a
        // test decides when stored figures move.
        Environment.SetEnvironmentVariable("Statistics__RefreshSeconds", "3600");
        // docs/openapi.json is the document as served here; it names the address ops/up serves on.
        Environment.SetEnvironmentVariable("OpenApi__ServerUrl", "http://127.0.0.1:5080");
        Host = await AlbaHost.For<Program>(builder => builder.ConfigureServices(services =>
        {
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs);
            services.RunWolverineInSoloMode();
            services.DisableAllExternalWolverineTransports();
        }));
        using (var raw = new HttpClient(Host.Server.CreateHandler()) { BaseAddress = Host.Server.BaseAddress })
            Contract = new ContractDocument(await raw.GetStringAsync("/openapi/v1.json"));
        Client = NewClient(new RightOfficerHandler(Tokens));
        Anonymous = NewClient(null);
    }

    // The document the host serves; every answer the clients receive is checked against it (ContractCheck).
    public ContractDocument Contract { get; private set; } = null!;

    // A fresh key per run: tokens are only ever signed by this fixture.
    public static readonly string SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public DevTokens Tokens { get; } = new(SigningKey);

    // Sends requests as they are, with whatever Authorization they carry (or none).
    public HttpClient Anonymous { get; private set; } = null!;

    public HttpClient NewClient(DelegatingHandler? handler)
    {
        HttpMessageHandler inner = new ContractCheck(Contract) { InnerHandler = Host.Server.CreateHandler() };
        if (handler is not null) { handler.InnerHandler = inner; inner = handler; }
        return new HttpClient(inner) { BaseAddress = Host.Server.BaseAddress };
    }

    // Empties the registry between tests and leaves every async shard running from the empty state. Marten's
    // ResetAllMartenDataAsync is not enough here: it stops and starts the daemon behind Wolverine's agent controller,
    // whose solo-mode loop then finds its agents' shards stopped and restarts them on its next tick — and when that
    // tick falls inside the reset, a shard starts from the progress of the previous test, the reset removes the
    // events under it, and it waits above the new, lower sequence for good (the shards stayed at 0 while the high-water
    // mark was at 21). So: stop the daemon, delete, stop it again (whatever the loop started meanwhile goes too), and
    // start every shard through Wolverine, so each one running afterwards was started after the data was gone and is
    // the one Wolverine tracks.
    public async Task ResetAsync()
    {
        // A rebuild a test started in the background ends before the next test's data goes in.
        await Host.Services.GetRequiredService<CareRegistry.Audit.ProjectionRebuilds>().IdleAsync();
        // Nor may the figures refresher store, after the data is gone, figures it computed from the previous test's facts.
        await using var paused = await Host.Services.GetRequiredService<CareRegistry.Statistics.AreaFiguresRefresher>().PauseAsync();
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        var agents = Host.Services.GetRequiredService<IWolverineRuntime>().Agents;
        var shards = await Host.Services.GetRequiredService<EventSubscriptionAgentFamily>().AllKnownAgentsAsync();
        await coordinator.PauseAsync();
        try
        {
            await Store.Advanced.ResetAllData();
        }
        catch (Npgsql.NpgsqlException e) when (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.DeadlockDetected } || e.InnerException is TimeoutException)
        {
            // A daemon batch still in flight when the coordinator paused can meet the truncation: once it deadlocked with
            // it, and its aborted transaction then held the facts until the daemon's retry, 50 s later (the truncation
            // of the facts timed out after 30 s). Once more, when that batch has gone.
            await coordinator.PauseAsync();
            await Store.Advanced.ResetAllData();
        }
        await coordinator.PauseAsync();
        foreach (var shard in shards)
        {
            await agents.StopLocallyAsync(shard);
            await agents.StartLocallyAsync(shard);
        }
    }

    // Lists, the monitoring table and alerts are kept by the async daemon: wait until it has caught up.
    public Task Projected() => Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Host, TimeSpan.FromSeconds(60));

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    // The service's own data source, for statements a test runs beside the API.
    public Npgsql.NpgsqlDataSource Db => Host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();

    // How one of the store's schema objects compares with the database, as db-assert sees it (None: as configured).
    public async Task<Weasel.Core.SchemaPatchDifference> SchemaDifferenceAsync(string objectName)
    {
        var migration = await Store.Storage.Database.CreateMigrationAsync();
        return migration.Deltas.Single(d => d.SchemaObject.Identifier.Name == objectName).Difference;
    }

    public async Task DisposeAsync()
    {
        // ops/test asks for the operations and statuses the suite saw, to show what the contract check covered.
        if (Environment.GetEnvironmentVariable("CAREREGISTRY_CONTRACT_REPORT") is { Length: > 0 } report)
            await File.WriteAllLinesAsync(report, Contract.Seen.OrderBy(s => s.Key).Select(s => $"checked\t{s.Key}\t{s.Value}")
                .Concat(Contract.Unmatched.OrderBy(s => s.Key).Select(s => $"no-operation\t{s.Key}\t{s.Value}")));
        Client.Dispose();
        Anonymous.Dispose();
        await Host.DisposeAsync();
        if (_container is not null) await _container.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}

// Each HTTP test starts from an empty registry.
[Collection(RegistryCollection.Name)]
public abstract class RegistryTest(RegistryFixture fixture) : IAsyncLifetime
{
    protected RegistryFixture Fixture { get; } = fixture;

    protected HttpClient Client => Fixture.Client;

    protected Npgsql.NpgsqlDataSource Db => Fixture.Db;

    public Task InitializeAsync() => Fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
