using CareRegistry.Audit;
using CareRegistry.Common;
using JasperFx.Events;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace CareRegistry.Institutions;

// An institution's history is read from the event table itself: every event that concerns it (IConcernsInstitutions —
// its own, and those of its permits, inspections and agreements) found by one indexed query. The index is an
// expression over the event's data, so an append writes nothing more than the event (no document rewritten per event,
// no row of our own); the data names the institutions it concerns in the fields institutionId, institutionIds and
// partyIds (those ConcernedInstitutions reads). The index finds a superset; ConcernedInstitutions decides, as the
// inline timeline it replaces did.
public static class ConcernedEvents
{
    public const string Function = "careregistry_concerned_institutions";
    public const string Index = "careregistry_events_by_institution";

    // text[], not uuid[]: an index expression that can fail would fail the append; a text never does. PL/pgSQL, not
    // SQL: PostgreSQL before 18 parses and plans a SQL function's body again in every statement that calls it, which in
    // an index expression is every append (an event's insert 0.18-0.22 ms with it, 0.07 ms with this;
    // docs/performance-log.md, "The twentieth stop"). A loop of plain expressions, not a query, which PL/pgSQL runs
    // through the executor on every call (about 8 µs an event against 2; "The thirty-second stop"). Each id once, the
    // empty id left out, in no particular order.
    private static string FunctionSql(string schema) => $$"""
        CREATE OR REPLACE FUNCTION {{schema}}.{{Function}}(data jsonb)
         RETURNS text[]
         LANGUAGE plpgsql
         IMMUTABLE PARALLEL SAFE
        AS $function$
        declare
            found text[] := '{}';
            id text;
            ids jsonb;
        begin
            if jsonb_typeof(data -> 'institutionId') = 'string' then
                found := array[data ->> 'institutionId'];
            end if;
            foreach ids in array array[data -> 'institutionIds', data -> 'partyIds'] loop
                if jsonb_typeof(ids) = 'array' then
                    for i in 0 .. jsonb_array_length(ids) - 1 loop
                        id := ids ->> i;
                        if not id = any(found) then
                            found := found || id;
                        end if;
                    end loop;
                end if;
            end loop;
            return array_remove(found, '{{Guid.Empty}}');
        end
        $function$;
        """;

    public static StoreOptions ConfigureConcernedEvents(this StoreOptions opts)
    {
        var schema = opts.Events.DatabaseSchemaName;
        opts.Storage.ExtendedSchemaObjects.Add(new ReplacedFunction(FunctionSql(schema)));
        // The index is ours, on Marten's table: Marten's migration would otherwise drop it as unknown.
        opts.Events.IgnoreIndex(Index);
        // After the event store's tables (the index is on mt_events), as the audit chain's triggers are.
        opts.Storage.Add(new SchemaObjectsFeature(typeof(ConcernedEvents), opts, new ExpressionIndex(schema)));
        return opts;
    }

    // SQL (Marten's event alias d) for "the event concerns one of these institutions", answered by the index.
    public static string Where(string alias = "d") => $"{Function}({alias}.data) && ?";

    public static string[] Keys(IEnumerable<Guid> ids) => ids.Select(id => id.ToString()).ToArray();

    public static bool Concerns(IEvent e, Guid institution) =>
        e.Data is IConcernsInstitutions c && c.ConcernedInstitutions.Contains(institution);

    // Every event concerning any of these institutions, in recording order: one query.
    public static async Task<IReadOnlyList<IEvent>> ForAsync(IQuerySession session, IReadOnlyCollection<Guid> institutions, CancellationToken ct)
    {
        var (sql, keys) = (Where(), (object)Keys(institutions));
        return await session.Events.QueryAllRawEvents().WhereSql(sql, keys).OrderBy(e => e.Sequence).ToListAsync(ct);
    }

    // One institution's timeline as the registry holds it now: the events concerning it, in recording order, each
    // retracted entry marked by the correction that retracted it (an entry stays as recorded).
    public static List<HistoryEntry> Timeline(IEnumerable<IEvent> events, Guid institution)
    {
        var entries = new List<HistoryEntry>();
        foreach (var e in events.Where(e => Concerns(e, institution)).OrderBy(e => e.Sequence))
        {
            var entry = HistoryEntry.From(e);
            entries.Add(entry);
            if (e.Data is EntryRetracted r && entries.FindIndex(x => x.StreamId == r.StreamId && x.Version == r.RetractedVersion) is var at and >= 0)
                entries[at] = entries[at] with
                {
                    RetractedBy = new RetractionMark(e.Version, entry.RecordedAt, entry.Department, entry.User, r.Reason),
                };
        }
        return entries;
    }

    // GIN over the function's array, so "concerns any of" (&&) is an index scan. Its definition has one spelling, ours,
    // and no pending list (fastupdate off): every search would scan the whole list against each of its keys, which cost
    // a rebuild's 250-institution searches more than the index itself (docs/performance-log.md, the sixth stop); an
    // append writes its one to three keys at once instead. An older index gets the setting and its list flushed.
    private sealed class ExpressionIndex(string schema) : CheckedSchemaObject(new PostgresqlObjectName(schema, Index, SchemaUtils.IdentifierUsage.General))
    {
        public override void WriteCreateStatement(Migrator migrator, TextWriter writer)
        {
            writer.WriteLine($"CREATE INDEX IF NOT EXISTS {Index} ON {schema}.mt_events USING gin ({schema}.{Function}(data)) WITH (fastupdate = off);");
            writer.WriteLine($"ALTER INDEX {schema}.{Index} SET (fastupdate = off);");
            writer.WriteLine($"SELECT gin_clean_pending_list('{schema}.{Index}'::regclass);");
        }

        public override void WriteDropStatement(Migrator rules, TextWriter writer) => writer.WriteLine($"DROP INDEX IF EXISTS {schema}.{Index};");

        public override void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
        {
            var name = builder.AddParameter(Index).ParameterName;
            var nsp = builder.AddParameter(schema).ParameterName;
            builder.Append($$"""
                select count(*) from pg_class i join pg_namespace n on n.oid = i.relnamespace
                where i.relname = :{{name}} and n.nspname = :{{nsp}} and coalesce(i.reloptions, '{}') @> '{fastupdate=off}';
                """);
        }
    }
}
