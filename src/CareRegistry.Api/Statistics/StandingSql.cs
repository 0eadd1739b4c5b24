namespace CareRegistry.Statistics;

// SQL fragments over mt_doc_standingfact shared by the search, the monitoring table and alerts. Both clocks are
// range conditions on indexed columns: in force on the day, and believed at the instant (null: now).
public static class StandingSql
{
    public const string Table = "mt_doc_standingfact";

    // A fact's row keeps as JSON only what no column holds (a finding's inspection): the columns are the fact, and a
    // copy of them in every row's JSON made the facts 60 % of the database. (Rows written before due_on was a column
    // still hold their dueOn here too; Body reads the column.)
    public static string StoredBody(string json) =>
        $"jsonb_strip_nulls(jsonb_build_object('reference', {json}->'reference'))";

    // The same JSON made here, for rows written by COPY (StandingRebuild): equal as jsonb to what StoredBody makes.
    // Written as text: a JSON object built per fact was a rebuild's garbage by the million (docs/performance-log.md, the
    // thirty-fifth stop), and a GUID's "D" form needs no escaping.
    public static string StoredBody(StandingFact fact) =>
        fact.Reference is { } reference ? $$"""{"reference": "{{reference:D}}"}""" : "{}";

    // The whole fact as Marten reads a document: the stored JSON with the columns (StandingFact.Columns) put back.
    // Select it "as data".
    public static string Body(string alias = "") =>
        $"{alias}data || jsonb_build_object('id', {alias}id, "
        + string.Join(", ", StandingFact.Columns.Select(c => $"'{c.JsonName}', {alias}{c.Name}")) + ")";

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

    // The same for one kind of fact: demerit facts believed now are written as their GiST index reads them
    // (StandingFact's ix_standingfact_demerit_during), the interval [valid_from, valid_to) holding the day; the same rows
    // as InForce. The range always builds: InstitutionStanding never writes an interval that ends before it starts.
    public static (string Sql, object[] Values) InForceOf(string fact, string alias, DateOnly day, DateTimeOffset? recordedAsOf) =>
        fact == Facts.Demerit && recordedAsOf is null
            ? ($"{DemeritPeriod(alias)} @> ? and {alias}recorded_to is null", [day])
            : InForce(alias, day, recordedAsOf);

    // Believed now and in force on the day, with the day written into the statement, for the reads whose cached generic
    // plan must see it.
    public static string InForceLiteral(string fact, string alias, DateOnly day) =>
        (fact == Facts.Demerit
            ? $"{DemeritPeriod(alias)} @> {DayLiteral(day)}"
            : $"{alias}valid_from <= {DayLiteral(day)} and ({alias}valid_to is null or {alias}valid_to > {DayLiteral(day)})")
        + $" and {alias}recorded_to is null";

    public static string DemeritPeriod(string alias) => $"daterange({alias}valid_from, {alias}valid_to)";

    // A day as an SQL literal: a date, so safe as text.
    public static string DayLiteral(DateOnly day) => $"date '{day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}'";

    // A division prefix as a range, so the (fact, jurisdiction, valid_from) index serves it under any collation.
    public static string Within(string alias, string prefix) =>
        prefix.Length == 0 ? "true" : $"{alias}jurisdiction >= @prefix and {alias}jurisdiction < @prefixEnd";

    // The same range written into the statement, for the reads whose cached generic plan must see the division
    // (a parameter there is guessed to hold 0.5 % of the rows). Safe as text: a division prefix is digits, checked here.
    public static string WithinLiteral(string alias, string prefix)
    {
        if (!prefix.All(char.IsAsciiDigit)) throw new ArgumentException($"not a division prefix: {prefix}", nameof(prefix));
        return prefix.Length == 0 ? "true" : $"{alias}jurisdiction >= '{prefix}' and {alias}jurisdiction < '{PrefixEnd(prefix)}'";
    }

    public static string PrefixEnd(string prefix) => prefix.Length == 0 ? "" : prefix[..^1] + (char)(prefix[^1] + 1);
}
