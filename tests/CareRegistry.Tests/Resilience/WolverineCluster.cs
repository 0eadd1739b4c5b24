using Npgsql;

namespace CareRegistry.Tests.Resilience;

// Wolverine's own record of the nodes and of which node runs which agent (an async projection shard is one agent,
// its URI naming the projection), read from its tables.
public static class WolverineCluster
{
    public sealed record Node(Guid Id, int Number, DateTimeOffset Started);

    public sealed record Assignment(string Agent, Guid? Node);

    public static async Task<List<Node>> NodesAsync(PostgresCluster cluster)
    {
        await using var connection = await cluster.OpenAsync();
        await using var query = new NpgsqlCommand("select id, node_number, started from wolverine_nodes order by started", connection);
        await using var row = await query.ExecuteReaderAsync();
        var nodes = new List<Node>();
        while (await row.ReadAsync()) nodes.Add(new Node(row.GetGuid(0), row.GetInt32(1), row.GetFieldValue<DateTimeOffset>(2)));
        return nodes;
    }

    public static async Task<List<Assignment>> AssignmentsAsync(PostgresCluster cluster)
    {
        await using var connection = await cluster.OpenAsync();
        await using var query = new NpgsqlCommand("select id, node_id from wolverine_node_assignments order by id", connection);
        await using var row = await query.ExecuteReaderAsync();
        var assignments = new List<Assignment>();
        while (await row.ReadAsync()) assignments.Add(new Assignment(row.GetString(0), row.IsDBNull(1) ? null : row.GetGuid(1)));
        return assignments;
    }

    // The agents that run async projection shards: event-subscriptions://… URIs.
    public static IEnumerable<Assignment> ProjectionAgents(this IEnumerable<Assignment> assignments) =>
        assignments.Where(a => a.Agent.StartsWith("event-subscriptions://", StringComparison.Ordinal));

    public static string Describe(IEnumerable<Node> nodes, IEnumerable<Assignment> assignments) =>
        $"nodes: {string.Join(", ", nodes.Select(n => $"#{n.Number} {n.Id}"))}; assignments: {string.Join(", ", assignments.Select(a => $"{a.Agent} -> {a.Node}"))}";
}
