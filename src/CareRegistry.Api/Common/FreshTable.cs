using Marten;
using Npgsql;

namespace CareRegistry.Common;

// A document table rebuilt beside the one it replaces (the set-based rebuilds: StandingRebuild, SnapshotRebuild):
// made like it without indexes, filled, vacuumed, given the old table's indexes under their names with a suffix, and
// swapped in under the old name in one transaction. Until the swap, the old table serves every read and write.
internal sealed record FreshTable(string Schema, string Name)
{
    public const string Suffix = "_rebuild";

    public string Qualified => $"{Schema}.{Name}";
    public string Fresh => $"{Schema}.{Name}{Suffix}";

    // The table Marten keeps a document in.
    public static FreshTable Of(StoreOptions options, Type document)
    {
        var name = options.Storage.FindFeature(document).Objects.OfType<Weasel.Postgresql.Tables.Table>().First().Identifier;
        return new FreshTable(name.Schema, name.Name);
    }

    // The old table's columns, defaults and storage settings (autovacuum's, StandingVacuum's), no index yet: they are
    // built once, after the rows are in. `then` runs after it is made (a column's compression).
    public async Task CreateAsync(NpgsqlDataSource db, CancellationToken ct, string then = "")
    {
        await using (var command = db.CreateCommand($"drop table if exists {Fresh}; create table {Fresh} (like {Qualified} including defaults); {then}"))
            await command.ExecuteNonQueryAsync(ct);
        await using var read = db.CreateCommand("select coalesce(array_to_string(reloptions, ', '), '') from pg_class where oid = $1::regclass");
        read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Qualified });
        var settings = (string?)await read.ExecuteScalarAsync(ct) ?? "";
        if (settings.Length == 0) return;
        // Read from the catalogue, so safe as text: name=value pairs PostgreSQL itself accepted.
        await using var write = db.CreateCommand($"alter table {Fresh} set ({settings})");
        await write.ExecuteNonQueryAsync(ct);
    }

    // The old table's columns, in order: what a writer of the fresh one must fill (or leave to their defaults).
    public async Task<List<string>> ColumnsAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Qualified });
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) columns.Add(reader.GetString(0));
        return columns;
    }

    // The fresh rows marked all-visible and the planner's statistics taken before the swap: the reads after it are
    // index-only scans with estimates from the first query on, not heap reads on guesses until autovacuum comes by.
    // Before the indexes, it is one pass over the heap (1.2 s for 3.2 M facts on the benchmark's database).
    public async Task VacuumAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"vacuum (analyze) {Fresh}");
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task DropAsync(NpgsqlDataSource db)
    {
        await using var drop = db.CreateCommand($"drop table if exists {Fresh}");
        try { await drop.ExecuteNonQueryAsync(CancellationToken.None); } catch (NpgsqlException) { /* the rebuild's own error is the one to report */ }
    }

    // The old tables' indexes, primary keys included, built on the fresh ones under their names with the suffix. On
    // `workers` connections, the largest (by the old index's size) first: one after another they are most of the 16-19 s
    // between the standing fold's end and its swap, and left a core idle when nothing else ran (the benchmark's facts
    // alone on the machine: 16.8 s one by one, 12.6 s on two connections; inside a rebuild the other core was busy
    // anyway, and the phase took 17-18 s either way). Builds on one table do not block each other; a primary key is made
    // a constraint once every build is done, since that takes the table's exclusive lock. No timeout: a build grows with
    // the table.
    public static async Task IndexAsync(NpgsqlDataSource db, FreshTable[] tables, int workers, CancellationToken ct)
    {
        var builds = new List<(FreshTable Table, string Name, string Create, bool Primary, long Size)>();
        await using (var connection = await db.OpenConnectionAsync(ct))
        foreach (var table in tables)
            foreach (var (name, definition, primary, size) in await table.IndexesAsync(connection, null, ct))
            {
                // pg_get_indexdef names the table with its schema unless the schema is on the search path.
                var create = definition.Replace($"INDEX {name} ON {table.Qualified} ", $"INDEX {name}{Suffix} ON {table.Fresh} ")
                    .Replace($"INDEX {name} ON {table.Name} ", $"INDEX {name}{Suffix} ON {table.Fresh} ");
                if (create == definition) throw new InvalidOperationException($"cannot rebuild index {name}: {definition}");
                builds.Add((table, name, create, primary, size));
            }
        await Parallel.ForEachAsync(builds.OrderByDescending(b => b.Size), new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct },
            async (build, token) =>
            {
                await using (var command = db.CreateCommand(build.Create))
                {
                    command.CommandTimeout = 0;
                    await command.ExecuteNonQueryAsync(token);
                }
                await CopyStatisticsTargetsAsync(db, $"{build.Table.Schema}.{build.Name}", $"{build.Table.Schema}.{build.Name}{Suffix}", token);
            });
        foreach (var (table, name, _, _, _) in builds.Where(b => b.Primary))
        {
            await using var command = db.CreateCommand($"alter table {table.Fresh} add constraint {name}{Suffix} primary key using index {name}{Suffix}");
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    // An index's own statistics targets (the name search's 1,000 values, SearchStatistics), which its definition does not
    // carry: without them the index built in its place samples the default 100.
    private static async Task CopyStatisticsTargetsAsync(NpgsqlDataSource db, string from, string to, CancellationToken ct)
    {
        var targets = new List<(short Column, int Target)>();
        await using (var read = db.CreateCommand(
                         "select attnum, coalesce(attstattarget, -1)::int from pg_attribute where attrelid = $1::regclass and attnum > 0 and coalesce(attstattarget, -1) >= 0"))
        {
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = from });
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) targets.Add((reader.GetInt16(0), reader.GetInt32(1)));
        }
        foreach (var (column, target) in targets)
        {
            // Numbers read from the catalogue, so safe as text.
            await using var write = db.CreateCommand($"alter index {to} alter column {column} set statistics {target}");
            await write.ExecuteNonQueryAsync(ct);
        }
    }

    // The planner's statistics taken again once the indexes are built: an index over an expression (the name search's
    // trigrams and pairs) has statistics of its own, which the analyse before the indexes could not take.
    public async Task AnalyzeAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"analyze {Fresh}");
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    // The old table's indexes (in the caller's transaction, if any).
    private async Task<List<(string Name, string Definition, bool Primary, long Size)>> IndexesAsync(NpgsqlConnection connection, NpgsqlTransaction? tx,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select i.relname, pg_get_indexdef(x.indexrelid), x.indisprimary, pg_relation_size(x.indexrelid)
            from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace
            where n.nspname = $1 and t.relname = $2
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Schema });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        var indexes = new List<(string, string, bool, long)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) indexes.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetInt64(3)));
        return indexes;
    }

    // How long a swap waits for the old tables' lock before it gives up the attempt, and how many attempts it makes. A
    // lock waiting to be granted holds up every read and write of the table that comes after it, so a swap queued
    // behind a long read (an export, say) would stall all of them until that read ends; waiting a second at a time, it
    // lets them through between attempts.
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(1);
    public const int LockAttempts = 120;

    // The swap's transaction: the old tables locked (waiting LockWait at most), then `work` (SwapAsync for each, and
    // whatever must change with them), committed. An attempt that does not get the locks in time, or that PostgreSQL
    // ends as one side of a deadlock (full 10's first standing rebuild: "while inserting index tuple in relation
    // mt_event_progression"), rolls back whole and is made again after LockWait; `beforeAttempt` runs before each.
    public static async Task SwapInAsync(NpgsqlDataSource db, FreshTable[] tables, Func<NpgsqlConnection, NpgsqlTransaction, Task> work,
        CancellationToken ct, Func<Task>? beforeAttempt = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (beforeAttempt is not null) await beforeAttempt();
            try
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                await using var tx = await connection.BeginTransactionAsync(ct);
                await ExecuteAsync(connection, tx, $"set local lock_timeout = {(int)LockWait.TotalMilliseconds}", ct);
                await ExecuteAsync(connection, tx, $"lock table {string.Join(", ", tables.Select(t => t.Qualified))} in access exclusive mode", ct);
                await work(connection, tx);
                await tx.CommitAsync(ct);
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DeadlockDetected && attempt < LockAttempts)
            {
                await Task.Delay(LockWait, ct);
            }
        }
    }

    // In the caller's transaction, which holds the old table's lock: the fresh table takes the old one's name, and its
    // indexes theirs.
    public async Task SwapAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        var indexes = await IndexesAsync(connection, tx, ct);
        await ExecuteAsync(connection, tx, $"drop table {Qualified}", ct);
        await ExecuteAsync(connection, tx, $"alter table {Fresh} rename to {Name}", ct);
        foreach (var (index, _, _, _) in indexes)
            await ExecuteAsync(connection, tx, $"alter index {Schema}.{index}{Suffix} rename to {index}", ct);
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }
}
