using JasperFx.Events.Projections;
using Marten;

namespace CareRegistry.Inspections;

public static class InspectionsConfiguration
{
    public static StoreOptions ConfigureInspections(this StoreOptions opts)
    {
        // Inline: an inspector sees the finding just recorded, and the institution view reads inspections directly.
        opts.Projections.Add(new InspectionSnapshot(), ProjectionLifecycle.Inline);
        opts.Schema.For<Inspection>().GinIndexJsonData();
        return opts;
    }
}

public sealed class InspectionSnapshot : Common.RetractableSnapshot<Inspection>
{
    protected override Inspection? Evolve(Inspection? state, object @event) => Inspection.Next(state, @event);

    protected override object Read(JasperFx.Events.IEvent e) => Inspection.Read(e);
}
