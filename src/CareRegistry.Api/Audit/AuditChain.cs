using JasperFx.Events;
using Marten;
using Npgsql;

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

    // jsonb::text is canonical (keys ordered, no insignificant whitespace), so the hash does not depend on how a
    // client formatted its JSON. chr(31) separates fields so that no two different events share an input.
    public static string Ddl(string schema) => $"""
        create table if not exists {schema}.{Table} (
            seq_id     bigint primary key,
            stream_id  uuid   not null,
            version    bigint not null,
            prev_hash  text,
            hash       text   not null
        );
        -- The trigger looks up the previous link of a stream on every append.
        create unique index if not exists ix_careregistry_audit_chain_stream on {schema}.{Table} (stream_id, version);

        create or replace function {schema}.careregistry_event_hash(
            prev text, stream_id uuid, version bigint, type text, data jsonb, headers jsonb,
            user_name text, correlation_id text, causation_id text, ts timestamptz) returns text
        language sql immutable as $$
            select encode(sha256(convert_to(concat_ws(chr(31), coalesce(prev, ''), stream_id::text, version::text, type,
                data::text, coalesce(headers::text, ''), coalesce(user_name, ''), coalesce(correlation_id, ''),
                coalesce(causation_id, ''), to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')), 'UTF8')), 'hex')
        $$;

        create or replace function {schema}.careregistry_chain_event() returns trigger language plpgsql as $$
        declare prev text;
        begin
            if {IsTombstone("new")} then return new; end if;
            select c.hash into prev from {schema}.{Table} c where c.stream_id = new.stream_id and c.version = new.version - 1;
            insert into {schema}.{Table} (seq_id, stream_id, version, prev_hash, hash)
            values (new.seq_id, new.stream_id, new.version, prev,
                    {schema}.careregistry_event_hash(prev, new.stream_id, new.version, new.type, new.data, new.headers,
                        new.user_name, new.correlation_id, new.causation_id, new.timestamp));
            return new;
        end $$;

        -- Clearing the whole store (tests, a fresh import) clears the chain with it; row deletes are not followed.
        create or replace function {schema}.careregistry_chain_truncate() returns trigger language plpgsql as $$
        begin
            truncate {schema}.{Table};
            return null;
        end $$;

        create or replace trigger careregistry_chain after insert on {schema}.mt_events
            for each row execute function {schema}.careregistry_chain_event();
        create or replace trigger careregistry_chain_truncate after truncate on {schema}.mt_events
            for each statement execute function {schema}.careregistry_chain_truncate();
        """;

    public static async Task EnsureAsync(IDocumentStore store, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var cmd = dataSource.CreateCommand(Ddl(schema));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

// At start-up, after Marten's own schema: the chain trigger and the idempotency table.
public sealed class DatabaseSetup(IDocumentStore store, NpgsqlDataSource dataSource) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await AuditChain.EnsureAsync(store, dataSource, ct);
        await using var cmd = dataSource.CreateCommand(Access.Idempotency.Ddl(store.Options.Events.DatabaseSchemaName));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
