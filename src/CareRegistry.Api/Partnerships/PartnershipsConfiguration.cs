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
        // The agreements of one institution are found by their parties, through a GIN index of that array's ids
        // (Partnership.ConfigureMarten, OfInstitution).
        opts.AddIdsFunction();
        return opts;
    }

    // The index, the member it is built over, and the SQL condition on an agreement document (alias d) that the
    // institution is a party, which the index serves.
    public const string PartyIndex = "ix_partnership_party_ids";
    public const string PartyMember = "partyIds";

    public static string OfInstitution(Guid institutionId) => MemberIndex.Names(PartyMember, institutionId);

    public static async Task<IReadOnlyList<Partnership>> OfInstitutionAsync(IQuerySession session, Guid institutionId, DateTimeOffset? recordedAsOf, CancellationToken ct)
    {
        var current = await session.Query<Partnership>().WhereSql(OfInstitution(institutionId)).ToListAsync(ct);
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
