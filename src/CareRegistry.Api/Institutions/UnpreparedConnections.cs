using CareRegistry.Common;
using Marten;
using Marten.Linq;
using Npgsql;

namespace CareRegistry.Institutions;

// Connections that never prepare a statement (but for MatchesAsync's, below, whose plan cannot depend on the values),
// for a query whose best plan depends on its values. A name fragment is one: 养老 is in a third of the names, 官渡区人民福寿 in
// three. Prepared (the registry's connections prepare every statement used twice, Program.cs), PostgreSQL plans the
// first five executions for their values and may then keep one generic plan for every value; for the name search that
// plan walked the primary key testing each name until the page was full, which for a rare fragment is every name (full
// 25: the rare search's p50 7.5 → 202 ms). Unprepared, each execution is planned for its own fragment (the trigram
// index for a rare one, the walk for a common one), at about 0.3 ms of planning when measured (2.0-2.7 ms in the
// twenty-seventh stop's look). Without parallel workers: planned for its values, a two-character search read the pairs
// index with two processes (10.5 ms alone, 5.5 ms with one), and on 2 cores shared by concurrent requests a worker only
// waits for a core (4 clients: p50 40-49 ms with workers). With pages costed as read from memory, which the
// institutions' table and its text indexes are (every search reads them): at the default costs, which price a page as
// read from disk, the planner walked the primary key for fragments of a few hundred matches and tested thousands of
// names (如意养老 at 53,962 institutions: 19.5 ms walked, 1.8 ms through the trigram index). Priced as memory, a fragment
// is walked only when it is common enough that the walk is the shorter (养老院: 11 ms either way); over 186 fragments the
// slowest went from 19.5 to 11 ms (docs/performance-log.md, the sixteenth stop).
public sealed class UnpreparedConnections : IAsyncDisposable
{
    private readonly NpgsqlDataSource source;
    // The same, but only ever answering from an index's matches: the primary key is never walked and the table never
    // scanned (both priced out, so the planner takes the text index's bitmap). For MatchesAsync. Its statements are
    // prepared with one generic plan each: with the walk and the scan priced out the plan does not depend on the
    // fragment, and planning it for each fragment took about 2 ms a statement (docs/performance-log.md, the
    // twenty-seventh stop).
    private readonly NpgsqlDataSource matchesOnly;

    public UnpreparedConnections(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 0, NoResetOnClose = true }.WithoutJit();
        builder.Options = $"{builder.Options} -c max_parallel_workers_per_gather=0 -c random_page_cost=0.1 -c seq_page_cost=0.1".Trim();
        source = NpgsqlDataSource.Create(builder);
        builder.Options = $"{builder.Options} -c enable_indexscan=off -c enable_seqscan=off -c plan_cache_mode=force_generic_plan";
        builder.MaxAutoPrepare = 32;
        builder.AutoPrepareMinUsages = 2;
        matchesOnly = NpgsqlDataSource.Create(builder);
    }

    // The first column of each row of a Marten query (an id), read on one of these connections.
    public Task<List<Guid>> IdsAsync(IQueryable<Guid> query, CancellationToken ct) => ReadAsync(source, query, ct);

    // The same for a query with a condition a text index answers (a name fragment), read from that index's matches:
    // its cost grows with the matches it reads, never with the rows a walk tests. Give it a limit.
    public Task<List<Guid>> MatchesAsync(IQueryable<Guid> query, CancellationToken ct) => ReadAsync(matchesOnly, query, ct);

    private static async Task<List<Guid>> ReadAsync(NpgsqlDataSource from, IQueryable<Guid> query, CancellationToken ct)
    {
        await using var command = query.ToCommand(FetchType.FetchMany);
        await using var connection = await from.OpenConnectionAsync(ct);
        command.Connection = connection;
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        await source.DisposeAsync();
        await matchesOnly.DisposeAsync();
    }
}
