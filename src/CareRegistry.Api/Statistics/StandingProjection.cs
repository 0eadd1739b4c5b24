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
        foreach (var e in events)
        foreach (var id in Concerned(e))
        {
            if (!standings.TryGetValue(id, out var standing)) standings[id] = standing = new InstitutionStanding { Id = id };
            // A batch the daemon retries after a failure was rolled back, so this only guards against a replay twice.
            if (e.Sequence <= standing.LastSequence) continue;
            await standing.ApplyAsync(operations, e, cancellation);
            standing.LastSequence = e.Sequence;
            Reconcile(operations, standing, e.Timestamp);
            changed.Add(id);
        }
        foreach (var id in changed) operations.Store(standings[id]);
    }

    // Named by what it says and since when it is believed, so a rebuild writes the very same rows.
    private static Guid IdOf(StandingFact fact) =>
        new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{fact.InstitutionId}|{fact.Key}|{fact.RecordedFrom.UtcTicks}")));

    private static IEnumerable<Guid> Concerned(IEvent e) =>
        e.Data is IConcernsInstitutions c ? c.ConcernedInstitutions.Where(id => id != Guid.Empty).Distinct() : [];

    // Rows that no longer hold stop being believed at this instant; new ones start being believed at it.
    private static void Reconcile(IDocumentOperations operations, InstitutionStanding standing, DateTimeOffset at)
    {
        var derived = standing.Derive();
        var wanted = derived.Select(f => f.Key).ToHashSet();
        var live = new List<StandingFact>();
        foreach (var fact in standing.Live)
        {
            if (wanted.Remove(fact.Key)) { live.Add(fact); continue; }
            if (fact.RecordedFrom == at) operations.Delete(fact);   // believed for no instant at all
            else { fact.RecordedTo = at; operations.Store(fact); }
        }
        foreach (var fact in derived.Where(f => wanted.Contains(f.Key)))
        {
            fact.RecordedFrom = at;
            fact.Id = IdOf(fact);
            operations.Store(fact);
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
        });
        opts.Schema.For<InstitutionStanding>();
        opts.Schema.For<StandingFact>();
        return opts;
    }
}
