using System.Data.Common;
using CareRegistry.Common;
using JasperFx.Events;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using Weasel.Postgresql.Triggers;

namespace CareRegistry.Audit;

// Tamper evidence: every event's hash covers the previous hash of its stream and the immutable parts of the event
// (stream, version, type, canonical JSON of data, metadata, timestamp). A trigger computes it inside the database
// in the same transaction as the append, so no code path, Marten's or ours, can append an event without it.
public static class AuditChain
{
    public const string Table = "careregistry_audit_chain";

    // Marten's tombstones. Rich appends reserve sequence numbers before the transaction runs; when it fails (a unique
    // index, a stale version), Marten writes one event of type `tombstone` (JasperFx.Events.Tombstone) per reserved
    // number, so that the async daemon sees no gap. They go to a stream holding nothing else, whose id Marten draws
    // anew in each process (Tombstone.StreamId = Guid.NewGuid(), so it cannot be matched), with version = sequence
    // (to stay clear of the stream/version unique index) and no timestamp. They record nothing that happened: the
    // chain does not link them, the feed, stream view and export leave them out, verify counts them apart.
    public static string IsTombstone(string alias) => $"({alias}.type = '{Tombstone.Name}' and {alias}.version = {alias}.seq_id)";

    public static bool IsTombstone(IEvent e) => e.EventTypeName == Tombstone.Name && e.Version == e.Sequence;

    // The chain's table and functions and the triggers on mt_events, as schema objects of the store, so db-apply,
    // db-assert and the apply at start-up create and check them. Marten applies its extended schema objects before
    // its own tables, so the triggers, which need mt_events, are a feature of their own: Marten applies features
    // registered with Storage.Add after the event store's tables.
    public static StoreOptions ConfigureAuditChain(this StoreOptions opts)
    {
        var schema = opts.Events.DatabaseSchemaName;
        opts.Storage.ExtendedSchemaObjects.Add(ChainTable(schema));
        opts.Storage.ExtendedSchemaObjects.Add(new ReplacedFunction(HashFunction(schema)));
        opts.Storage.ExtendedSchemaObjects.Add(new ReplacedFunction(ChainFunction(schema)));
        opts.Storage.ExtendedSchemaObjects.Add(new ReplacedFunction(TruncateFunction(schema)));
        opts.Storage.Add(new SchemaObjectsFeature(typeof(AuditChain), opts,
            new EventsTrigger(schema, "careregistry_chain", "careregistry_chain_event")
                { Timing = TriggerTiming.After, Events = TriggerEvents.Insert, ForEachRow = true },
            new EventsTrigger(schema, "careregistry_chain_truncate", "careregistry_chain_truncate")
                { Timing = TriggerTiming.After, Events = TriggerEvents.Truncate, ForEachRow = false }));
        return opts;
    }

    private static Table ChainTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Table, SchemaUtils.IdentifierUsage.General)) { PrimaryKeyName = $"{Table}_pkey" };
        table.AddColumn("seq_id", "bigint").AsPrimaryKey();
        table.AddColumn("stream_id", "uuid").NotNull();
        table.AddColumn("version", "bigint").NotNull();
        table.AddColumn(new HashColumn("prev_hash"));
        table.AddColumn(new HashColumn("hash")).NotNull();
        // The trigger looks up the previous link of a stream on every append.
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_stream") { Columns = ["stream_id", "version"], IsUnique = true });
        return table;
    }

    // A link's hashes are stored as their 32 bytes; the chain is defined over their hex text (careregistry_event_hash
    // hashes the previous hash's hex digits, and the API and the digest show hex), so the bytes are decoded to text
    // wherever a hash is computed or shown. As hex text they took 65 bytes each, 130 of the row's 173; as bytes the row
    // is 116 (the table 293 → 227 MB at 1.18 million events; docs/performance-log.md, the sixteenth stop). A chain
    // stored as text before is converted in place, each value decoded from its hex digits (an ALTER that rewrites the
    // table once).
    private sealed class HashColumn(string name) : TableColumn(name, "bytea")
    {
        public override bool CanAlter(TableColumn actual) => actual.Type.Equals("text", StringComparison.OrdinalIgnoreCase);

        public override string AlterColumnTypeSql(Table table, TableColumn changeActual) =>
            $"alter table {table.Identifier} alter column {Name} type bytea using decode({Name}, 'hex');";
    }

    // Hex text of a stored hash, as the chain is defined over it and the API shows it.
    public static string Hex(string column) => $"encode({column}, 'hex')";

    // jsonb::text is canonical (keys ordered, no insignificant whitespace), so the hash does not depend on how a
    // client formatted its JSON. chr(31) separates fields so that no two different events share an input.
    // STABLE, as the functions it calls are (to_char, convert_to): PostgreSQL inlines a SQL function only when it
    // claims no more than its body does, and verify calls it once per event (declared IMMUTABLE it was called, not
    // inlined: 7.7 µs instead of 4 µs an event, docs/performance-log.md, the eighth stop).
    private static string HashFunction(string schema) => $"""
        CREATE OR REPLACE FUNCTION {schema}.careregistry_event_hash(prev text, stream_id uuid, version bigint, type text, data jsonb, headers jsonb, user_name text, correlation_id text, causation_id text, ts timestamp with time zone)
         RETURNS text
         LANGUAGE sql
         STABLE
        AS $function$
            select encode(sha256(convert_to(concat_ws(chr(31), coalesce(prev, ''), stream_id::text, version::text, type,
                data::text, coalesce(headers::text, ''), coalesce(user_name, ''), coalesce(correlation_id, ''),
                coalesce(causation_id, ''), to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')), 'UTF8')), 'hex')
        $function$;
        """;

    private static string ChainFunction(string schema) => $"""
        CREATE OR REPLACE FUNCTION {schema}.careregistry_chain_event()
         RETURNS trigger
         LANGUAGE plpgsql
        AS $function$
        declare prev bytea;
        begin
            if {IsTombstone("new")} then return new; end if;
            select c.hash into prev from {schema}.{Table} c where c.stream_id = new.stream_id and c.version = new.version - 1;
            insert into {schema}.{Table} (seq_id, stream_id, version, prev_hash, hash)
            values (new.seq_id, new.stream_id, new.version, prev,
                    decode({schema}.careregistry_event_hash({Hex("prev")}, new.stream_id, new.version, new.type, new.data, new.headers,
                        new.user_name, new.correlation_id, new.causation_id, new.timestamp), 'hex'));
            return new;
        end $function$;
        """;

    // Clearing the whole store (tests, a fresh import) clears the chain with it; row deletes are not followed.
    private static string TruncateFunction(string schema) => $"""
        CREATE OR REPLACE FUNCTION {schema}.careregistry_chain_truncate()
         RETURNS trigger
         LANGUAGE plpgsql
        AS $function$
        begin
            truncate {schema}.{Table};
            return null;
        end $function$;
        """;

    // pg_get_triggerdef, which Weasel compares a trigger with, names the function with or without its schema as the
    // reading session's search_path has it; either spelling is the same trigger.
    private sealed class EventsTrigger(string schema, string name, string function)
        : Trigger(new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General), new PostgresqlObjectName(schema, "mt_events", SchemaUtils.IdentifierUsage.General), $"{schema}.{function}()")
    {
        public override async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default)
        {
            var existing = await reader.ReadAsync(ct) && !await reader.IsDBNullAsync(0, ct) ? await reader.GetFieldValueAsync<string>(0, ct) : null;
            if (existing is null) return new SchemaObjectDelta(this, SchemaPatchDifference.Create);
            var qualified = existing.Replace($"EXECUTE FUNCTION {function}(", $"EXECUTE FUNCTION {schema}.{function}(");
            return new SchemaObjectDelta(this, Matches(existing) || Matches(qualified) ? SchemaPatchDifference.None : SchemaPatchDifference.Update);
        }
    }
}
