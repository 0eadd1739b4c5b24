using Marten;
using Marten.Schema;
using Weasel.Postgresql.Tables;

namespace CareRegistry.Common;

// A GIN index over the ids in one JSON array of a document, as a text array, and the condition it serves. An index of
// the JSON member itself (Marten's GinIndexJsonDataMember) answers containment only with a recheck: PostgreSQL reads
// every document it finds whole, out of TOAST, to test the member again (an institution's 9 inspections at 50,000
// institutions: 0.12 ms for the lookup alone). Containment of text arrays is exact, so this index's finds are not
// rechecked: 0.015 ms (docs/performance-log.md, "The twentieth stop").
public static class MemberIndex
{
    public const string Function = "careregistry_ids";

    // text[], not uuid[]: an index expression that can fail would fail the document's write, and a text never does (a
    // member that is not an array has no ids). PL/pgSQL, not SQL: PostgreSQL before 18 parses and plans a SQL
    // function's body again in every statement that calls it, which in an index expression is every write of a document
    // (an update of an inspection 0.089-0.124 ms with it, 0.049-0.058 ms with this; docs/performance-log.md, "The
    // twentieth stop"). A loop of plain expressions, not a query, which PL/pgSQL runs through the executor on every call
    // (about 6 µs a document against 4; "The thirty-second stop"). COST: evaluating it per row is what the index saves,
    // so that a plan never prefers a walk of the table computing it.
    private static string FunctionSql(string schema) => $$"""
        CREATE OR REPLACE FUNCTION {{schema}}.{{Function}}(ids jsonb)
         RETURNS text[]
         LANGUAGE plpgsql
         IMMUTABLE PARALLEL SAFE COST 1000
        AS $function$
        declare
            found text[] := '{}';
        begin
            if jsonb_typeof(ids) = 'array' then
                for i in 0 .. jsonb_array_length(ids) - 1 loop
                    found := found || (ids ->> i);
                end loop;
            end if;
            return found;
        end
        $function$;
        """;

    // The function, once, among the schema objects Marten creates before the document tables whose indexes call it.
    public static StoreOptions AddIdsFunction(this StoreOptions opts)
    {
        if (!opts.Storage.ExtendedSchemaObjects.Any(x => x.Identifier.Name == Function))
            opts.Storage.ExtendedSchemaObjects.Add(new ReplacedFunction(FunctionSql(opts.DatabaseSchemaName)));
        return opts;
    }

    // The index of a document's member (from the document type's ConfigureMarten). New entries go straight into it:
    // with PostgreSQL's default (fastupdate on) they wait in a pending list that every lookup reads whole until a vacuum
    // merges it, so a lookup slows with every write since the last vacuum.
    public static void Add(DocumentMapping mapping, string name, string member)
    {
        var index = new IndexDefinition(name) { Method = IndexMethod.gin, Columns = [Of(member, null)] };
        index.StorageParameters["fastupdate"] = "off";
        mapping.Indexes.Add(index);
    }

    // The member's ids, as the index is built (the stored JSON is camel case, Program.cs: Casing.CamelCase, so members
    // are named as they are stored).
    public static string Of(string member, string? alias = "d") => $"{Function}({(alias is null ? "" : alias + ".")}data -> '{member}')";

    // That the document (by its alias) names the id in its array. The id is a parsed Guid written into the statement,
    // so no generic plan of a prepared statement trades the index for a walk of the table.
    public static string Names(string member, Guid id, string alias = "d") => $"{Of(member, alias)} @> array['{id}']";
}
