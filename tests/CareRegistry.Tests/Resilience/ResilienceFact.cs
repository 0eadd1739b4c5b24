namespace CareRegistry.Tests.Resilience;

// A test that starts processes of its own: a PostgreSQL cluster from the server binaries and the service as a
// separate process. Without the binaries (a laptop that runs PostgreSQL in Testcontainers) it is skipped, with the
// reason, rather than failed. Run alone with: dotnet test --filter Category=Resilience
[AttributeUsage(AttributeTargets.Method)]
public sealed class ResilienceFactAttribute : FactAttribute
{
    public ResilienceFactAttribute()
    {
        if (PostgresCluster.BinDirectory is null)
            Skip = "needs PostgreSQL server binaries under /usr/lib/postgresql/*/bin (initdb, pg_ctl) to start and stop a cluster of its own";
    }
}

// One scenario at a time: each starts its own cluster and service processes, and on two cores they would only
// slow each other down (and blur the bounds the scenarios assert).
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResilienceCollection
{
    public const string Name = "resilience";
}
