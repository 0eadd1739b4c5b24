using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace CareRegistry.Fhir;

// FHIR answers: application/fhir+json written by Firely's serializer; a refusal the FHIR endpoints decide themselves
// (bad search parameter, unknown id) as an OperationOutcome. 401 and 403 come from the access gate as problem details,
// like every protected route.
public static class FhirResponse
{
    public const string JsonType = "application/fhir+json";
    public const string NdjsonType = "application/fhir+ndjson";

    public static readonly JsonSerializerOptions Options = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, resource.GetType(), Options);

    public static IResult Resource(Resource resource) => Results.Text(Serialize(resource), JsonType + "; charset=utf-8");

    public static IResult Outcome(int status, OperationOutcome.IssueType type, string message) => Results.Text(Serialize(new OperationOutcome
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = type, Diagnostics = message }],
    }), JsonType + "; charset=utf-8", statusCode: status);

    public static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/fhir";

    // When an Organization (or its Location) last changed: its institution document or any of its permits.
    public const string InstitutionLastUpdatedSql =
        "greatest(d.mt_last_modified, coalesce((select max(p.mt_last_modified) from mt_doc_permit p where p.institution_id = d.id), d.mt_last_modified))";

    public static async Task<Dictionary<Guid, DateTimeOffset>> LastUpdatedAsync(NpgsqlDataSource database, string table, string expression,
        Guid[] ids, CancellationToken ct)
    {
        var result = new Dictionary<Guid, DateTimeOffset>();
        if (ids.Length == 0) return result;
        await using var command = database.CreateCommand($"select d.id, {expression} from {table} d where d.id = any(@ids)");
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result[reader.GetGuid(0)] = new DateTimeOffset(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(1), DateTimeKind.Utc));
        return result;
    }
}
