using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Attributes;
using Wolverine.Http;

namespace CareRegistry.Fhir;

public static class GetLocationEndpoint
{
    public static async Task<Institution?> LoadAsync(string id, IQuerySession session, CancellationToken ct) =>
        Guid.TryParse(id, out var guid) ? await session.LoadAsync<Institution>(guid, ct) : null;

    [WolverineBefore]
    public static AccessSubject Concerns(Institution? institution) => AccessSubject.Institution(institution);

    // Where an institution is: the Location shares the institution's (and its Organization's) id.
    [WolverineGet("/fhir/Location/{id}"), Tags("FHIR"), ExcludeFromDescription]
    [Produces(FhirResponse.JsonType)]
    public static async Task<IResult> Get(string id, Institution? found, IQuerySession session, NpgsqlDataSource database, TimeProvider clock, CancellationToken ct)
    {
        if (found is not { } institution)
            return FhirResponse.Outcome(404, Hl7.Fhir.Model.OperationOutcome.IssueType.NotFound, $"no Location/{id}");
        var updated = await FhirResponse.LastUpdatedAsync(database, "mt_doc_institution", FhirResponse.InstitutionLastUpdatedSql, [institution.Id], ct);
        return FhirResponse.Resource(FhirMapping.Location(institution, clock.Today(), updated[institution.Id]));
    }
}
