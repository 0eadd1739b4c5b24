using CareRegistry.Common;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace CareRegistry.Institutions;

// Everything that touched one institution — its own events and those of its permits, inspections and agreements —
// filed under it as they are appended, so a history read is one document, not a query per stream.
public sealed class InstitutionTimeline
{
    public Guid Id { get; set; }

    public List<HistoryEntry> Entries { get; set; } = [];
}

public sealed class InstitutionTimelineProjection : MultiStreamProjection<InstitutionTimeline, Guid>
{
    public InstitutionTimelineProjection()
    {
        Identities<IConcernsInstitutions>(e => e.ConcernedInstitutions);
    }

    // Appends in place: a long timeline grows by one entry per event, not by a copy of itself.
    public override InstitutionTimeline? Evolve(InstitutionTimeline? snapshot, Guid id, IEvent e)
    {
        snapshot ??= new InstitutionTimeline { Id = id };
        var entry = HistoryEntry.From(e);
        snapshot.Entries.Add(entry);
        if (e.Data is Audit.EntryRetracted r && snapshot.Entries.FindIndex(x => x.StreamId == r.StreamId && x.Version == r.RetractedVersion) is var at and >= 0)
            snapshot.Entries[at] = snapshot.Entries[at] with
            {
                RetractedBy = new RetractionMark(e.Version, entry.RecordedAt, entry.Department, entry.User, r.Reason),
            };
        return snapshot;
    }
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
