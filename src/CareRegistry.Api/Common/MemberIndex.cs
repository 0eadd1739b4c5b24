namespace CareRegistry.Common;

// A GIN index over one array of ids in a document (Marten's GinIndexJsonDataMember), and the condition it serves.
public static class MemberIndex
{
    // New entries go straight into the index: with PostgreSQL's default (fastupdate on) they wait in a pending list
    // that every lookup reads whole until a vacuum merges it, so a lookup slows with every write since the last vacuum.
    public static void WithoutPendingList(Marten.Schema.DocumentIndex index) => index.StorageParameters["fastupdate"] = "off";

    // That the document (by its alias) names the id in its array: containment of the member, as the index is built. The
    // id is a parsed Guid written into the statement, so no generic plan of a prepared statement trades the index for a
    // walk of the table.
    public static string Names(string member, Guid id, string alias = "d") => $"{alias}.data -> '{member}' @> '{Element(id)}'::jsonb";

    // The id as the one element of a JSON array, what the member is tested to contain (the stored JSON is camel case,
    // Program.cs: Casing.CamelCase, so members are named as they are stored).
    public static string Element(Guid id) => $"[\"{id}\"]";
}
