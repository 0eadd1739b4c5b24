using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Testcontainers.PostgreSql;
using Wolverine;

namespace CareRegistry.Tests.Infrastructure;

// One host for every HTTP test, against a real PostgreSQL: CAREREGISTRY_TEST_DB when set (ops/test sets it),
// otherwise a throwaway container (a laptop with Docker).
public sealed class RegistryFixture : IAsyncLifetime
{
    private PostgreSqlContainer? _container;

    public IAlbaHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("CAREREGISTRY_TEST_DB");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            _container = new PostgreSqlBuilder().WithImage("postgres:15-alpine").Build();
            await _container.StartAsync();
            connectionString = _container.GetConnectionString();
        }

        // Program reads the connection string while it builds, so it is handed over as the environment would.
        Environment.SetEnvironmentVariable("ConnectionStrings__CareRegistry", connectionString);
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        Host = await AlbaHost.For<Program>(builder => builder.ConfigureServices(services =>
        {
            services.RunWolverineInSoloMode();
            services.DisableAllExternalWolverineTransports();
        }));
        Client = Host.Server.CreateClient();
    }

    public Task ResetAsync() => Host.ResetAllMartenDataAsync();

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task DisposeAsync()
    {
        Client.Dispose();
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

    public Task InitializeAsync() => Fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
