using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Partnerships;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Attributes;
using Wolverine.Http;

namespace CareRegistry.Fhir;

public static class GetOrganizationAffiliationEndpoint
{
    // Readable by whoever may read the partnership: a party inside the caller's jurisdiction.
    public static async Task<Partnership?> LoadAsync(string id, IQuerySession session, CancellationToken ct) =>
        Guid.TryParse(id, out var guid) ? await session.LoadAsync<Partnership>(guid, ct) : null;

    [WolverineBefore]
    public static async Task<AccessSubject> Concerns(Partnership? found, IQuerySession session, CancellationToken ct) =>
        found is null ? AccessSubject.Nothing : await PartnershipAccess.ConcernsAsync(found, session, ct);

    [WolverineGet("/fhir/OrganizationAffiliation/{id}"), Tags("FHIR"), ExcludeFromDescription]
    [Produces(FhirResponse.JsonType)]
    public static async Task<IResult> Get(string id, Partnership? found, IQuerySession session, NpgsqlDataSource database, TimeProvider clock, CancellationToken ct)
    {
        if (found is not { } partnership)
            return FhirResponse.Outcome(404, Hl7.Fhir.Model.OperationOutcome.IssueType.NotFound, $"no OrganizationAffiliation/{id}");
        var updated = await FhirResponse.LastUpdatedAsync(database, "mt_doc_partnership", "d.mt_last_modified", [partnership.Id], ct);
        return FhirResponse.Resource(FhirMapping.Affiliation(partnership, clock.Today(), updated[partnership.Id]));
    }
}
