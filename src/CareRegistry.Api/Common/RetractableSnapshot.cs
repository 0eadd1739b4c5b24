using CareRegistry.Audit;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace CareRegistry.Common;

// A stream's snapshot, folded in recording order by a pure Evolve; a correction (EntryRetracted) folds the stream
// again without the entry it retracts. Live "as recorded by" reads use the same projection, so they agree.
public abstract class RetractableSnapshot<T> : SingleStreamProjection<T, Guid>, ISetBasedSnapshot where T : class
{
    // The projection applies only to its capability's events (those of T's namespace) and corrections. Without a list
    // it would consider every event of every stream written in the session, and look for a document of its type for
    // each — a query per snapshot per command that always finds nothing. A stream of T carries only these types.
    protected RetractableSnapshot()
    {
        foreach (var type in typeof(T).Assembly.GetTypes().Where(t =>
                     t.Namespace == typeof(T).Namespace && !t.IsAbstract && typeof(IRegistryEvent).IsAssignableFrom(t)))
            IncludeType(type);
        IncludeType<EntryRetracted>();
    }

    protected abstract T? Evolve(T? state, object @event);

    // What the fold reads of an event: its data, unless a snapshot also needs what the event's metadata says.
    protected virtual object Read(IEvent e) => e.Data;

    public override ValueTask<T?> EvolveAsync(T? snapshot, Guid id, IQuerySession session, IEvent e, CancellationToken cancellation) =>
        e.Data is EntryRetracted
            ? Retractions.RefoldAsync<T>(session, id, e, (state, x) => Evolve(state, Read(x)), cancellation)
            : ValueTask.FromResult(Evolve(snapshot, Read(e)));

    public Task<SnapshotRebuildReport> RebuildSetBasedAsync(IDocumentStore store, Npgsql.NpgsqlDataSource db, SnapshotRebuild.Settings settings,
        Action<long>? progress, CancellationToken ct) =>
        SnapshotRebuild.RunAsync(store, db, this, settings, progress, ct);
}

// A snapshot projection the rebuild folds set-based (SnapshotRebuild) rather than replaying it through the daemon.
public interface ISetBasedSnapshot
{
    Task<SnapshotRebuildReport> RebuildSetBasedAsync(IDocumentStore store, Npgsql.NpgsqlDataSource db, SnapshotRebuild.Settings settings,
        Action<long>? progress, CancellationToken ct);
}
