using JasperFx.Events.Projections;
using Marten;

namespace CareRegistry.Permits;

public static class PermitsConfiguration
{
    public static StoreOptions ConfigurePermits(this StoreOptions opts)
    {
        // Inline, so the institution view and the regime conversion see a permit as soon as it is recorded.
        opts.Projections.Add(new PermitSnapshot(), ProjectionLifecycle.Inline);
        opts.Schema.For<Permit>()
            .Duplicate(x => x.InstitutionId, notNull: true)
            .Duplicate(x => x.Jurisdiction, notNull: true)
            .Index(x => x.Type);
        return opts;
    }
}

public sealed class PermitSnapshot : Common.RetractableSnapshot<Permit>
{
    protected override Permit? Evolve(Permit? state, object @event) => Permit.Next(state, @event);
}
