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
    [WolverineBefore]
    public static async Task<AccessSubject> Concerns(string id, IQuerySession session, CancellationToken ct) =>
        Guid.TryParse(id, out var guid) && await session.LoadAsync<Partnership>(guid, ct) is { } partnership
            ? await PartnershipAccess.ConcernsAsync(partnership, session, ct)
            : AccessSubject.Nothing;

    [WolverineGet("/fhir/OrganizationAffiliation/{id}"), Tags("FHIR"), ExcludeFromDescription]
    [Produces(FhirResponse.JsonType)]
    public static async Task<IResult> Get(string id, IQuerySession session, NpgsqlDataSource database, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var guid) || await session.LoadAsync<Partnership>(guid, ct) is not { } partnership)
            return FhirResponse.Outcome(404, Hl7.Fhir.Model.OperationOutcome.IssueType.NotFound, $"no OrganizationAffiliation/{id}");
        var updated = await FhirResponse.LastUpdatedAsync(database, "mt_doc_partnership", "d.mt_last_modified", [guid], ct);
        return FhirResponse.Resource(FhirMapping.Affiliation(partnership, clock.Today(), updated[guid]));
    }
}
