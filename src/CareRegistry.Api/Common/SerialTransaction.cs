using Npgsql;

namespace CareRegistry.Common;

// A connection and a transaction in which PostgreSQL plans no parallel workers, for background work on the cores the
// commands use: there a worker process only waits for a core, and each one costs its start (the alerts gauge's counts,
// RegistryMetrics; the standing rebuild's partition reads, twice as long with two workers: docs/performance-log.md, the
// twenty-fourth stop). Rolled back on disposal unless committed.
public sealed class SerialTransaction : IAsyncDisposable
{
    private SerialTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) => (Connection, Transaction) = (connection, transaction);

    public NpgsqlConnection Connection { get; }
    public NpgsqlTransaction Transaction { get; }

    public static async Task<SerialTransaction> BeginAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            var transaction = await connection.BeginTransactionAsync(ct);
            await using (var serial = new NpgsqlCommand("set local max_parallel_workers_per_gather = 0", connection, transaction))
                await serial.ExecuteNonQueryAsync(ct);
            return new SerialTransaction(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
