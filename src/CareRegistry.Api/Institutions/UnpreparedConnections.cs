using Marten;
using Marten.Linq;
using Npgsql;

namespace CareRegistry.Institutions;

// Connections that never prepare a statement, for a query whose best plan depends on its values. A name fragment is
// one: 养老 is in a third of the names, 官渡区人民福寿 in three. Prepared (the registry's connections prepare every
// statement used twice, Program.cs), PostgreSQL plans the first five executions for their values and may then keep
// one generic plan for every value; for the name search that plan walked the primary key testing each name until the
// page was full, which for a rare fragment is every name (full 25: the rare search's p50 7.5 → 202 ms). Unprepared, each
// execution is planned for its own fragment (the trigram index for a rare one, the walk for a common one), at about
// 0.3 ms of planning. Without parallel workers: planned for its values, a two-character search read the pairs index
// with two processes (10.5 ms alone, 5.5 ms with one), and on 2 cores shared by concurrent requests a worker only
// waits for a core (4 clients: p50 40-49 ms with workers).
public sealed class UnpreparedConnections : IAsyncDisposable
{
    private readonly NpgsqlDataSource source;

    public UnpreparedConnections(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 0, NoResetOnClose = true };
        builder.Options = $"{builder.Options} -c max_parallel_workers_per_gather=0".Trim();
        source = NpgsqlDataSource.Create(builder);
    }

    // The first column of each row of a Marten query (an id), read on one of these connections.
    public async Task<List<Guid>> IdsAsync(IQueryable<Guid> query, CancellationToken ct)
    {
        await using var command = query.ToCommand(FetchType.FetchMany);
        await using var connection = await source.OpenConnectionAsync(ct);
        command.Connection = connection;
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();
}
