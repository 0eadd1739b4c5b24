using System.Diagnostics;
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
            if (await StepAsync(operations, standing, e, facts, cancellation)) changed.Add(id);
        }
        Write(operations, facts.Values.Where(f => !f.Deleted).Select(f => f.Fact).ToList(), facts.Values.Where(f => f.Deleted).Select(f => f.Fact.Id).ToArray());
        // The districts whose facts changed: their stored figures are stale from this batch on.
        AreaSummaries.Touch(operations, facts.Values.Select(f => f.Fact.Jurisdiction).Distinct().ToArray());
        foreach (var id in changed) operations.Store(standings[id]);
    }

    // One event applied to one institution's standing, and the facts it changes (keyed by id, the last change of each):
    // the daemon's batches and the set-based rebuild (StandingRebuild) go through this same step, so both write the
    // same rows. False when the event was applied already.
    internal static async Task<bool> StepAsync(IQuerySession session, InstitutionStanding standing, IEvent e,
        Dictionary<Guid, (StandingFact Fact, bool Deleted)> facts, CancellationToken cancellation)
    {
        // A batch the daemon retries after a failure was rolled back, so this only guards against a replay twice.
        if (e.Sequence <= standing.LastSequence) return false;
        var start = Stopwatch.GetTimestamp();
        await standing.ApplyAsync(session, e, cancellation);
        standing.LastSequence = e.Sequence;
        var applied = Stopwatch.GetTimestamp();
        Reconcile(facts, standing, e.Timestamp);
        StandingProfile.Count(applied - start, Stopwatch.GetTimestamp() - applied);
        return true;
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
        operations.QueueSqlCommand(InsertSql(table), options.Serializer().ToJson(stored));
    }

    // The columns of StandingFact.Columns read out of each serialized fact by their JSON names.
    private static string InsertSql(string table)
    {
        var columns = StandingFact.Columns;
        return $"insert into {table} (id, data, {string.Join(", ", columns.Select(c => c.Name))}) "
               + $"select (d->>'id')::uuid, {StandingSql.StoredBody("d")}, "
               + string.Join(", ", columns.Select(c => $"(d->>'{c.JsonName}')::{c.Type}"))
               + " from jsonb_array_elements(?::jsonb) d on conflict (id) do update set data = excluded.data, "
               + string.Join(", ", columns.Select(c => $"{c.Name} = excluded.{c.Name}"));
    }

    // Named by what it says and since when it is believed, so a rebuild writes the very same rows: the MD5 of the UTF-8
    // of "institution|Key|recorded-from ticks", in the invariant culture. Written as UTF-8 straight into a buffer on the
    // stack, a larger pooled one only for a longer text (Key's text, then this one, then their bytes were three
    // allocations per fact a rebuild opens); the text is the same (LiveFactsTests spells it out).
    internal static Guid IdOf(StandingFact f)
    {
        Span<byte> hash = stackalloc byte[16];
        Span<byte> text = stackalloc byte[512];
        byte[]? rented = null;
        int length;
        while (!TryWriteName(f, text, out length))
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            text = rented = System.Buffers.ArrayPool<byte>.Shared.Rent(text.Length * 2);
        }
        System.Security.Cryptography.MD5.HashData(text[..length], hash);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return new Guid(hash);
    }

    private static bool TryWriteName(StandingFact f, Span<byte> into, out int length) =>
        System.Text.Unicode.Utf8.TryWrite(into, System.Globalization.CultureInfo.InvariantCulture,
            $"{f.InstitutionId}|{f.Fact}|{f.Label}|{f.Status}|{f.Department}|{f.Subject}|{f.Reference}|{f.ValidFrom}|{f.ValidTo}|{f.DueOn}|{f.Value}|{f.Jurisdiction}|{f.Kind}|{f.RecordedFrom.UtcTicks}",
            out length);

    // The institutions an event concerns, each once. A scan, not a set: most events concern one, a joint inspection up
    // to eight, and Distinct made a hash set for every event of a rebuild.
    internal static IReadOnlyList<Guid> Concerned(IEvent e)
    {
        if (e.Data is not IConcernsInstitutions c) return [];
        var ids = c.ConcernedInstitutions;
        var concerned = new List<Guid>(ids.Count);
        for (var k = 0; k < ids.Count; k++)
            if (ids[k] != Guid.Empty && !concerned.Contains(ids[k])) concerned.Add(ids[k]);
        return concerned;
    }

    // Rows that no longer hold stop being believed at this instant; new ones start being believed at it. The derived
    // facts are values, compared by value (not by the Key text, which only names new rows: IdOf), in two collections
    // each thread reuses; only new facts become objects. Formatting two Key texts and making an object per fact on
    // every event was a third of the step and most of its garbage; deriving (Derive's runs over the change days) is
    // the rest.
    [ThreadStatic] private static List<StandingFact.Same>? _derived;
    [ThreadStatic] private static HashSet<StandingFact.Same>? _wanted;

    private static void Reconcile(Dictionary<Guid, (StandingFact, bool)> facts, InstitutionStanding standing, DateTimeOffset at)
    {
        var start = Stopwatch.GetTimestamp();
        var derived = _derived ??= [];
        derived.Clear();
        var changed = standing.DeriveInto(derived);
        StandingProfile.CountDerive(Stopwatch.GetTimestamp() - start);
        // The very facts the last step derived: the live rows hold them already.
        if (!changed) return;
        var wanted = _wanted ??= [];
        wanted.Clear();
        foreach (var f in derived) wanted.Add(f);
        var live = new List<StandingFact>(derived.Count);
        foreach (var fact in standing.Live)
        {
            if (wanted.Remove(fact.Identity)) { live.Add(fact); continue; }
            if (fact.RecordedFrom == at) facts[fact.Id] = (fact, true);   // believed for no instant at all
            else { fact.RecordedTo = at; facts[fact.Id] = (fact, false); }
        }
        foreach (var f in derived)
        {
            if (!wanted.Contains(f)) continue;
            var fact = StandingFact.Of(standing.Institution!.Id, f);
            fact.RecordedFrom = at;
            // Named by IdOf, worked out once here (the key below): writing the standing back leaves it out unhashed.
            fact.IdIsImplied = true;
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
        opts.ConfigureStandingVacuum();
        opts.ConfigureStandingCompression();
        opts.ConfigureAreaSummaries();
        return opts;
    }
}

// Where a standing's time goes per event (applying the event; re-deriving and diffing its facts, of which deriving),
// summed over the process; the set-based rebuild logs it. Three timestamps per event, next to the ~0.1 ms of the step.
public static class StandingProfile
{
    private static long _events, _apply, _reconcile, _derive;

    public static void Count(long apply, long reconcile)
    {
        Interlocked.Increment(ref _events);
        Interlocked.Add(ref _apply, apply);
        Interlocked.Add(ref _reconcile, reconcile);
    }

    public static void CountDerive(long ticks) => Interlocked.Add(ref _derive, ticks);

    public static (long Events, double ApplySeconds, double ReconcileSeconds, double DeriveSeconds) Read() =>
        (Interlocked.Read(ref _events), Seconds(ref _apply), Seconds(ref _reconcile), Seconds(ref _derive));

    private static double Seconds(ref long ticks) => Interlocked.Read(ref ticks) / (double)Stopwatch.Frequency;
}
