using CareRegistry.Common;
using JasperFx.Events.Projections;
using Marten;

namespace CareRegistry.Partnerships;

public record ActivePartner(Guid PartnershipId, string Kind, Guid PartnerId, IReadOnlyList<string> Services, DateOnly ValidTo);

public static class PartnershipsConfiguration
{
    public static StoreOptions ConfigurePartnerships(this StoreOptions opts)
    {
        opts.Projections.Add(new PartnershipSnapshot(), ProjectionLifecycle.Inline);
        opts.Schema.For<Partnership>().GinIndexJsonData();
        return opts;
    }

    public static async Task<IReadOnlyList<Partnership>> OfInstitutionAsync(IQuerySession session, Guid institutionId, DateTimeOffset? recordedAsOf, CancellationToken ct)
    {
        var current = await session.Query<Partnership>().Where(p => p.PartyIds.Contains(institutionId)).ToListAsync(ct);
        return await AsRecorded.AtAsync(session, current, p => p.Id, recordedAsOf, ct);
    }

    public static IReadOnlyList<ActivePartner> ActiveFor(Guid institutionId, IEnumerable<Partnership> partnerships, DateOnly day) =>
        partnerships.Where(p => p.IsActiveOn(day))
            .Select(p => new ActivePartner(p.Id, Json.Wire(p.Kind), p.PartnerOf(institutionId), p.Services.Select(Json.Wire).ToList(), p.ValidToOn(day)))
            .ToList();
}

public sealed class PartnershipSnapshot : Common.RetractableSnapshot<Partnership>
{
    protected override Partnership? Evolve(Partnership? state, object @event) => Partnership.Next(state, @event);
}
