using CareRegistry.Common;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql.Tables;

namespace CareRegistry.Statistics;

// Keeps one InstitutionStanding per institution and its StandingFact rows. Asynchronous: it summarises across
// streams, and a command should not wait for the monitoring table. Events arrive in recording order, so each change
// of facts is stamped with the instant of the event that caused it: that is the recorded clock of every list.
public sealed class StandingProjection : IProjection
{
    public const string Name = "InstitutionStanding";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var ids = events.SelectMany(Concerned).Distinct().ToArray();
        if (ids.Length == 0) return;
        var standings = (await operations.LoadManyAsync<InstitutionStanding>(cancellation, ids)).ToDictionary(s => s.Id);
        var changed = new HashSet<Guid>();
        // A fact an institution's events open and close within one batch (the daemon reads thousands of events at once
        // while rebuilding) is written once, as it ends the batch: the last of its changes, keyed by id.
        var facts = new Dictionary<Guid, (StandingFact Fact, bool Deleted)>();
        foreach (var e in events)
        foreach (var id in Concerned(e))
        {
            if (!standings.TryGetValue(id, out var standing)) standings[id] = standing = new InstitutionStanding { Id = id };
            // A batch the daemon retries after a failure was rolled back, so this only guards against a replay twice.
            if (e.Sequence <= standing.LastSequence) continue;
            await standing.ApplyAsync(operations, e, cancellation);
            standing.LastSequence = e.Sequence;
            Reconcile(facts, standing, e.Timestamp);
            changed.Add(id);
        }
        Write(operations, facts.Values.Where(f => !f.Deleted).Select(f => f.Fact).ToList(), facts.Values.Where(f => f.Deleted).Select(f => f.Fact.Id).ToArray());
        // The districts whose facts changed: their stored figures are stale from this batch on.
        AreaSummaries.Touch(operations, facts.Values.Select(f => f.Fact.Jurisdiction).Distinct().ToArray());
        foreach (var id in changed) operations.Store(standings[id]);
    }

    // The batch's facts in two statements, instead of an upsert per row (a rebuild writes several rows per event, and
    // those upserts were most of its time): the rows as one JSON array, serialized as Marten serializes a document,
    // with the columns Marten duplicates (StandingFact.ConfigureMarten) read back out of it, and only what no column
    // holds kept as the row's JSON (StandingSql.StoredBody). In the batch's transaction.
    private static void Write(IDocumentOperations operations, List<StandingFact> stored, Guid[] deleted)
    {
        var options = (StoreOptions)operations.DocumentStore.Options;
        var table = options.Storage.FindFeature(typeof(StandingFact)).Objects.OfType<Table>().First().Identifier.QualifiedName;
        if (deleted.Length > 0) operations.QueueSqlCommand($"delete from {table} where id = any(?)", deleted);
        if (stored.Count == 0) return;
        operations.QueueSqlCommand($"""
            insert into {table} (id, data, mt_dotnet_type, institution_id, jurisdiction, kind, fact, label, status, department,
                                 valid_from, valid_to, recorded_from, recorded_to, value, subject)
            select (d->>'id')::uuid, {StandingSql.StoredBody("d")}, '{typeof(StandingFact).FullName}', (d->>'institutionId')::uuid, d->>'jurisdiction', d->>'kind',
                   d->>'fact', d->>'label', d->>'status', d->>'department', (d->>'validFrom')::date, (d->>'validTo')::date,
                   (d->>'recordedFrom')::timestamptz, (d->>'recordedTo')::timestamptz, (d->>'value')::integer, (d->>'subject')::uuid
            from jsonb_array_elements(?::jsonb) d
            on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, mt_last_modified = excluded.mt_last_modified,
                institution_id = excluded.institution_id, jurisdiction = excluded.jurisdiction, kind = excluded.kind, fact = excluded.fact,
                label = excluded.label, status = excluded.status, department = excluded.department, valid_from = excluded.valid_from,
                valid_to = excluded.valid_to, recorded_from = excluded.recorded_from, recorded_to = excluded.recorded_to,
                value = excluded.value, subject = excluded.subject
            """, options.Serializer().ToJson(stored));
    }

    // Named by what it says and since when it is believed, so a rebuild writes the very same rows.
    private static Guid IdOf(StandingFact fact, string key) =>
        new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{fact.InstitutionId}|{key}|{fact.RecordedFrom.UtcTicks}")));

    private static IEnumerable<Guid> Concerned(IEvent e) =>
        e.Data is IConcernsInstitutions c ? c.ConcernedInstitutions.Where(id => id != Guid.Empty).Distinct() : [];

    // Rows that no longer hold stop being believed at this instant; new ones start being believed at it.
    private static void Reconcile(Dictionary<Guid, (StandingFact, bool)> facts, InstitutionStanding standing, DateTimeOffset at)
    {
        // Each derived fact's key is formatted once (it was three times, and the daemon does this for every event).
        var derived = standing.Derive().Select(f => (Key: f.Key, Fact: f)).ToList();
        var wanted = derived.Select(d => d.Key).ToHashSet();
        var live = new List<StandingFact>();
        foreach (var fact in standing.Live)
        {
            if (wanted.Remove(fact.Key)) { live.Add(fact); continue; }
            if (fact.RecordedFrom == at) facts[fact.Id] = (fact, true);   // believed for no instant at all
            else { fact.RecordedTo = at; facts[fact.Id] = (fact, false); }
        }
        foreach (var (key, fact) in derived.Where(d => wanted.Contains(d.Key)))
        {
            fact.RecordedFrom = at;
            fact.Id = IdOf(fact, key);
            facts[fact.Id] = (fact, false);
            live.Add(fact);
        }
        standing.Live = live;
    }
}

public static class StatisticsConfiguration
{
    public static StoreOptions ConfigureStatistics(this StoreOptions opts)
    {
        opts.Projections.Add(new StandingProjection(), ProjectionLifecycle.Async, StandingProjection.Name, options =>
        {
            options.DeleteViewTypeOnTeardown<InstitutionStanding>();
            options.DeleteViewTypeOnTeardown<StandingFact>();
            // A rebuild starts the districts' figures afresh with the facts. Tables, not view types: they are a cache of
            // the facts (numbers from a sequence), not documents a rebuild reproduces, so the audit's digests leave them out.
            options.DeleteDataInTableOnTeardown($"{opts.DatabaseSchemaName}.{StandingAreaVersion.Table}");
            options.DeleteDataInTableOnTeardown($"{opts.DatabaseSchemaName}.{StandingAreaFigures.Table}");
        });
        opts.Schema.For<InstitutionStanding>();
        opts.Schema.For<StandingFact>();
        opts.ConfigureAreaSummaries();
        return opts;
    }
}
