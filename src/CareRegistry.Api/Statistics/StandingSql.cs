namespace CareRegistry.Statistics;

// SQL fragments over mt_doc_standingfact shared by the search, the monitoring table and alerts. Both clocks are
// range conditions on indexed columns: in force on the day, and believed at the instant (null: now).
public static class StandingSql
{
    public const string Table = "mt_doc_standingfact";

    // Positional '?' parameters, in order, for Marten's MatchesSql; the values to pass come back with the text.
    public static (string Sql, object[] Values) InForce(string alias, DateOnly day, DateTimeOffset? recordedAsOf)
    {
        var sql = $"{alias}valid_from <= ? and ({alias}valid_to is null or {alias}valid_to > ?)";
        return recordedAsOf is { } at
            ? ($"{sql} and {alias}recorded_from <= ? and ({alias}recorded_to is null or {alias}recorded_to > ?)", [day, day, at, at])
            : ($"{sql} and {alias}recorded_to is null", [day, day]);
    }

    // The same with named parameters (@day, @recorded) for Npgsql commands.
    public static string InForceNamed(string alias, DateTimeOffset? recordedAsOf) =>
        $"{alias}valid_from <= @day and ({alias}valid_to is null or {alias}valid_to > @day) and "
        + (recordedAsOf is null ? $"{alias}recorded_to is null" : $"{alias}recorded_from <= @recorded and ({alias}recorded_to is null or {alias}recorded_to > @recorded)");

    // A division prefix as a range, so the (fact, jurisdiction, valid_from) index serves it under any collation.
    public static string Within(string alias, string prefix) =>
        prefix.Length == 0 ? "true" : $"{alias}jurisdiction >= @prefix and {alias}jurisdiction < @prefixEnd";

    public static string PrefixEnd(string prefix) => prefix.Length == 0 ? "" : prefix[..^1] + (char)(prefix[^1] + 1);
}
