using CareRegistry.Common;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace CareRegistry.Institutions;

// Everything that touched one institution — its own events and those of its permits, inspections and agreements —
// filed under it as they are appended, so a history read is one document, not a query per stream.
public record InstitutionTimeline(Guid Id, IReadOnlyList<HistoryEntry> Entries);

public sealed class InstitutionTimelineProjection : MultiStreamProjection<InstitutionTimeline, Guid>
{
    public InstitutionTimelineProjection()
    {
        Identities<IConcernsInstitutions>(e => e.ConcernedInstitutions);
    }

    public override InstitutionTimeline? Evolve(InstitutionTimeline? snapshot, Guid id, IEvent e) =>
        new(id, [.. snapshot?.Entries ?? [], HistoryEntry.From(e)]);
}

public static class InstitutionTimelineConfiguration
{
    public static StoreOptions ConfigureInstitutionTimeline(this StoreOptions opts)
    {
        // Inline: a command's answer and the history that shows it come from the same transaction.
        opts.Projections.Add(new InstitutionTimelineProjection(), ProjectionLifecycle.Inline);
        return opts;
    }
}
