using CareRegistry.Audit;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace CareRegistry.Common;

// A stream's snapshot, folded in recording order by a pure Evolve; a correction (EntryRetracted) folds the stream
// again without the entry it retracts. Live "as recorded by" reads use the same projection, so they agree.
public abstract class RetractableSnapshot<T> : SingleStreamProjection<T, Guid> where T : class
{
    protected abstract T? Evolve(T? state, object @event);

    // What the fold reads of an event: its data, unless a snapshot also needs what the event's metadata says.
    protected virtual object Read(IEvent e) => e.Data;

    public override ValueTask<T?> EvolveAsync(T? snapshot, Guid id, IQuerySession session, IEvent e, CancellationToken cancellation) =>
        e.Data is EntryRetracted
            ? Retractions.RefoldAsync<T>(session, id, e, (state, x) => Evolve(state, Read(x)), cancellation)
            : ValueTask.FromResult(Evolve(snapshot, Read(e)));
}
