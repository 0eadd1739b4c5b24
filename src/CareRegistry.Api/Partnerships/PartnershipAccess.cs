using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Institutions;
using Marten;

namespace CareRegistry.Partnerships;

// An agreement is acted on, or read, inside the jurisdiction of at least one of its parties.
public static class PartnershipAccess
{
    public static async Task<AccessSubject> ConcernsAsync(Partnership partnership, IQuerySession session, CancellationToken ct) =>
        AccessSubject.Nothing.WithinAny(await session.LoadManyAsync<Institution>(ct, partnership.PartyIds.ToArray()), L.T("party of agreement {0}", partnership.Id));
}
