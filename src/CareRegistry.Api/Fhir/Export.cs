using System.Text;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using Hl7.Fhir.Model;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Attributes;
using Wolverine.Http;

namespace CareRegistry.Fhir;

public static class ExportEndpoint
{
    private const int Batch = 500;

    [WolverineBefore]
    public static AccessSubject Concerns(string? jurisdiction) => AccessSubject.ReadingIn(jurisdiction);

    // Bulk export, synchronously: `_type` names one resource type (Organization, Location or OrganizationAffiliation)
    // and the answer streams it as NDJSON (application/fhir+ndjson), one resource a line, in batches of 500 read in id
    // order, so memory stays flat whatever the size. This is not the asynchronous Bulk Data kick-off (202 and a status
    // URL): a client reads the stream per type instead. Narrowed to the caller's jurisdiction like every list; a
    // partnership is exported when one of its parties is inside it.
    [WolverineGet("/fhir/$export"), Tags("FHIR"), ExcludeFromDescription, ReadsQuery("_type")]
    [Produces(FhirResponse.NdjsonType)]
    public static async Task<IResult> Export(string? jurisdiction, IQuerySession session, NpgsqlDataSource database, TimeProvider clock,
        HttpContext http, CancellationToken ct)
    {
        jurisdiction = AccessGate.ReadPrefix(http, jurisdiction);
        var problem = Division.PrefixProblem(jurisdiction);
        var type = http.Request.Query["_type"].ToString();
        if (problem is not null) return FhirResponse.Outcome(400, OperationOutcome.IssueType.Invalid, $"jurisdiction {problem}");
        if (type is not ("Organization" or "Location" or "OrganizationAffiliation"))
            return FhirResponse.Outcome(400, OperationOutcome.IssueType.NotSupported, "_type must name one of Organization, Location, OrganizationAffiliation");
        var prefix = Division.NormalizePrefix(jurisdiction);
        var day = clock.Today();

        http.Response.ContentType = FhirResponse.NdjsonType;
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
        Guid? after = null;
        while (true)
        {
            var resources = type == "OrganizationAffiliation"
                ? await AffiliationsAsync(session, database, prefix, after, day, ct)
                : await InstitutionsAsync(session, database, prefix, after, day, type == "Location", ct);
            foreach (var (_, resource) in resources) await writer.WriteAsync(FhirResponse.Serialize(resource) + "\n");
            await writer.FlushAsync(ct);
            if (resources.Count < Batch) break;
            after = resources[^1].Id;
        }
        return Results.Empty;
    }

    private static async Task<List<(Guid Id, Resource Resource)>> InstitutionsAsync(IQuerySession session, NpgsqlDataSource database, string prefix,
        Guid? after, DateOnly day, bool locations, CancellationToken ct)
    {
        var query = SearchInstitutionsEndpoint.Matching(session.Query<Institution>(), null, prefix);
        if (after is { } a) query = query.WhereSql("d.id > ?", a);
        var page = await query.OrderBy(x => x.Id).Take(Batch).ToListAsync(ct);
        var ids = page.Select(i => i.Id).ToArray();
        var updated = await FhirResponse.LastUpdatedAsync(database, "mt_doc_institution", FhirResponse.InstitutionLastUpdatedSql, ids, ct);
        if (locations) return page.Select(i => (i.Id, (Resource)FhirMapping.Location(i, day, updated[i.Id]))).ToList();
        var permits = (await session.Query<Permit>().WhereSql("d.institution_id = any(?)", ids).ToListAsync(ct)).ToLookup(p => p.InstitutionId);
        return page.Select(i => (i.Id, (Resource)FhirMapping.Organization(i, permits[i.Id], day, updated[i.Id]))).ToList();
    }

    private static async Task<List<(Guid Id, Resource Resource)>> AffiliationsAsync(IQuerySession session, NpgsqlDataSource database, string prefix,
        Guid? after, DateOnly day, CancellationToken ct)
    {
        var query = session.Query<Partnership>().AsQueryable();
        if (prefix.Length > 0)
            query = query.WhereSql("exists (select 1 from mt_doc_institution i where i.id::text in (select jsonb_array_elements_text(d.data -> 'partyIds')) "
                + "and i.jurisdiction >= ? and i.jurisdiction < ?)", prefix, StandingSql.PrefixEnd(prefix));
        if (after is { } a) query = query.WhereSql("d.id > ?", a);
        var page = await query.OrderBy(x => x.Id).Take(Batch).ToListAsync(ct);
        var updated = await FhirResponse.LastUpdatedAsync(database, "mt_doc_partnership", "d.mt_last_modified", page.Select(p => p.Id).ToArray(), ct);
        return page.Select(p => (p.Id, (Resource)FhirMapping.Affiliation(p, day, updated[p.Id]))).ToList();
    }
}
