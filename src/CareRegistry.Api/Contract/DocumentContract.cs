using System.Text.Json.Nodes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CareRegistry.Contract;

public static class OpenApiContract
{
    public static IServiceCollection AddCareRegistryOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddSchemaTransformer<WireEnums>();
            o.AddDocumentTransformer<BearerSecurityScheme>();
            o.AddDocumentTransformer<DocumentContract>();
        });
}

// Makes /openapi/v1.json say everything a client can receive: every status each operation can answer (access,
// validation, idempotency, concurrency, the database), each error as application/problem+json, success bodies as
// serialised (nulls are omitted, so a nullable field is optional and never null), typed parameters, examples.
// ops/test lints the result and the test suite checks every response it receives against it.
public sealed class DocumentContract : IOpenApiDocumentTransformer
{
    private const string ProblemJson = "application/problem+json";

    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Audit"] = "The event log: the feed, single streams with their hash chains, verification, digest, export, replay, corrections and projections.",
        ["Divisions"] = "The GB/T 2260 administrative division table (行政区划代码) that every jurisdiction is checked against.",
        ["Inspections"] = "Inspections (joint ones across departments), findings with demerit points, rectification, verification and disputes.",
        ["Institutions"] = "Care homes, hospitals and community care centres: registration, changes, closure, search and history.",
        ["Jurisdictions"] = "Rules per jurisdiction: permit regimes (approval or filing), the demerit threshold and the elderly population.",
        ["Public"] = "Public disclosure (公示) without sign-in: care institutions and insurance designations in force, enforcement decisions; cached and rate-limited.",
        ["Partnerships"] = "Agreements between care and medical institutions (care-medical, referral, consortium).",
        ["Permits"] = "Permits of five types, by approval or filing, with their effective-dated periods, and enforcement.",
        ["Webhooks"] = "Pushed events: subscriptions that deliver signed CloudEvents through the durable outbox, their deliveries, and replaying parked ones.",
        ["Statistics"] = "The monitoring table (监测表) and the alerts each department must act on.",
    };

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = "CareRegistry",
            Version = "1",
            Description = """
                The shared register of China's integrated medical and elderly care (医养结合): each department's decisions as events,
                one cross-department view of every institution with its history and both clocks (effective date, recorded instant).

                Every /api route needs a bearer token (JWT with sub, role, department, jurisdiction claims). Bodies are JSON,
                camelCase, enums in kebab-case, dates YYYY-MM-DD; a field without a value is left out, never null.
                Errors are RFC 9457 problem details (application/problem+json); a 400 names each offending field in errors.
                Problems are written in the language Accept-Language asks for, zh-CN or en (English when it names neither), and
                say which in Content-Language; the field names in errors and every enum value stay as they are.
                Commands accept Idempotency-Key (a UUID) and If-Match (the stream version, as in the ETag they answer).
                """,
            Contact = new OpenApiContact { Name = "CareRegistry maintainers" },
        };
        // The server is OpenApi:ServerUrl when a deployment names its public address, else where the document was fetched
        // from; without a trailing slash, which would double the one every path starts with.
        var configured = context.ApplicationServices.GetRequiredService<IConfiguration>()["OpenApi:ServerUrl"];
        var url = string.IsNullOrWhiteSpace(configured) ? document.Servers?.FirstOrDefault()?.Url : configured;
        document.Servers = url is null ? [] : [new OpenApiServer { Url = url.TrimEnd('/'), Description = "This registry" }];
        document.Tags = new HashSet<OpenApiTag>(Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));

        document.Components ??= new OpenApiComponents();
        var schemas = document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        schemas["Problem"] = Problem(validation: false);
        schemas["ValidationProblem"] = Problem(validation: true);
        schemas.Remove("ProblemDetails");
        schemas.Remove("HttpValidationProblemDetails");
        schemas.Remove("IResult");
        if (schemas.TryGetValue("JsonNode", out var node) && node is OpenApiSchema any) any.Description = "Any JSON value: the event's data as recorded.";
        document.Components.Headers = Headers();

        foreach (var description in context.DescriptionGroups.SelectMany(g => g.Items))
            Describe(document, description);

        foreach (var (name, schema) in schemas.ToList())
        {
            if (schema is not OpenApiSchema s || name is "Problem" or "ValidationProblem") continue;
            var type = TypeNamed(name);
            if (type is not null) RequestSchemas.EnumArrays(type, s, document);
            if (type is not null && RequestSchemas.IsCommand(type)) RequestSchemas.Describe(type, s);
            else AsSerialised(s);
        }
        // A stable order, so the committed docs/openapi.json changes only when the contract does.
        var paths = document.Paths.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        document.Paths.Clear();
        foreach (var (path, item) in paths) document.Paths[path] = item;
        var sorted = schemas.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        schemas.Clear();
        foreach (var (name, schema) in sorted) schemas[name] = schema;
        await Task.CompletedTask;
    }

    private static void Describe(OpenApiDocument document, ApiDescription description)
    {
        var route = "/" + description.RelativePath?.TrimStart('/');
        var method = description.HttpMethod ?? "GET";
        if (route.StartsWith("/public/", StringComparison.Ordinal))
        {
            DescribePublic(document, route, method);
            return;
        }
        if (!route.StartsWith("/api/", StringComparison.Ordinal)) return;
        var operation = document.Paths[route].Operations![new HttpMethod(method)];
        var key = $"{method} {route}";
        var text = Operations.ByRoute.GetValueOrDefault(key) ?? throw new InvalidOperationException($"{key} has no entry in Contract/Operations.cs");
        var rule = description.ActionDescriptor.EndpointMetadata.OfType<AccessRule>().FirstOrDefault()
                   ?? throw new InvalidOperationException($"{key} has no access rule");
        operation.OperationId = text.Id;
        operation.Summary = text.Summary;
        operation.Description = $"{text.Description}\n\nWho: {Who(rule)}.";

        var isCommand = method == "POST";
        var hasBody = operation.RequestBody is not null;
        var names = route.Contains('{');

        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            var (schema, text2) = parameter.In == ParameterLocation.Path ? Parameters.Path(parameter.Name!) : Parameters.Query(route, parameter.Name!);
            parameter.Schema = schema;
            parameter.Description = text2;
        }
        if (isCommand)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Idempotency-Key", In = ParameterLocation.Header, Schema = Parameters.Uuid(),
                Description = "Makes a retry safe: the same key with the same request answers the first answer again (Idempotent-Replayed: true) and writes nothing.",
            });
        }
        // Commands on a stream the route (or the correction) names check If-Match; submitting a permit starts a new one.
        var preconditions = isCommand && (names || route is "/api/corrections") && route is not "/api/institutions/{id}/permits";
        if (preconditions)
            operation.Parameters!.Add(new OpenApiParameter
            {
                Name = "If-Match", In = ParameterLocation.Header, Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^(\\*|\"?[0-9]+\"?|W/\".*\")$" },
                Description = "The stream version the command was decided on, as the ETag gave it (\"3\"); 412 if the stream has moved on. A weak tag never matches.",
            });

        // Figures believed now may be summed from districts' stored figures up to a minute behind (figuresAsOf says so);
        // a client that must see what it has just recorded asks for none.
        if (key == "GET /api/statistics/integrated-care")
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Cache-Control", In = ParameterLocation.Header, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                Description = "no-cache (or max-age=0): every figure computed from the facts as projected, which under writes can take seconds for "
                              + "a province or the nation; max-age=N: figures at most N seconds behind (at most the default, 60).",
            });
        }

        if (hasBody && operation.RequestBody is OpenApiRequestBody body && body.Content?.TryGetValue("application/json", out var media) == true)
        {
            var command = description.ParameterDescriptions.FirstOrDefault(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body)?.Type;
            if (command is not null && Examples.For(command) is { } example) media.Example = example;
            body.Required = true;
        }

        var responses = operation.Responses ??= new OpenApiResponses();
        foreach (var status in responses.Keys.Where(k => !k.StartsWith('2')).ToList()) responses.Remove(status);
        Success(document, route, method, responses);
        if (isCommand)
            foreach (var (status, response) in responses.Where(r => r.Key.StartsWith('2')).ToList())
                if (response is OpenApiResponse accepted && route == "/api/admin/projections/rebuild")
                {
                    accepted.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    accepted.Headers["Location"] = new OpenApiHeaderReference("Location", document);
                }
                else if (response is OpenApiResponse r)
                {
                    r.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    r.Headers["ETag"] = new OpenApiHeaderReference("ETag", document);
                    r.Headers["Idempotent-Replayed"] = new OpenApiHeaderReference("Idempotent-Replayed", document);
                    if (status == "201") r.Headers["Location"] = new OpenApiHeaderReference("Location", document);
                }

        // Every read refuses a query parameter it does not declare (Common/DeclaredQuery.cs), so every operation has a 400.
        responses["400"] = Error(document, 400, "The request is invalid: errors names each offending field, query parameter or header, and what is wrong with it.");
        responses["401"] = Error(document, 401, "No usable bearer token: missing, malformed, expired, signed by another key, or with claims outside the vocabulary. WWW-Authenticate says which.", "WWW-Authenticate");
        responses["403"] = Error(document, 403, "The caller's role, department or jurisdiction does not allow this; detail says which. Nothing was written.");
        // What can be missing: the resource an id names, a division code, the institutions (or stream) a command names.
        // A jurisdiction's rules always exist (they default), so its code is never 404.
        if (route.Contains("{id}") || route is "/api/divisions/{code}" || isCommand && route is "/api/institutions" or "/api/inspections" or "/api/partnerships" or "/api/corrections")
            responses["404"] = Error(document, 404, "What the route (or the command) names does not exist.");
        if (isCommand)
        {
            responses["409"] = Error(document, 409, "The command conflicts with the registry's state (detail says how), or a request with the same Idempotency-Key is still running (Retry-After).", "Retry-After");
            if (preconditions) responses["412"] = Error(document, 412, "If-Match does not name the stream's current version, or another change was recorded first. Nothing was written: read again and retry.");
            if (hasBody)
            {
                responses["413"] = Error(document, 413, "The body is larger than 1 MiB.");
                responses["415"] = Error(document, 415, "The body is not sent as application/json (UTF-8).");
            }
            responses["422"] = Error(document, 422, "This Idempotency-Key was used with a different request.");
        }
        if (!route.StartsWith("/api/divisions", StringComparison.Ordinal))
            responses["503"] = Error(document, 503, "The registry's database is not reachable. Nothing was written; retry after Retry-After seconds.", "Retry-After");

        var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in ordered) responses[status] = response;
    }

    // The anonymous disclosure lists: no token, an ETag to revalidate (304), a rate limit per address (429).
    private static void DescribePublic(OpenApiDocument document, string route, string method)
    {
        var operation = document.Paths[route].Operations![new HttpMethod(method)];
        var key = $"{method} {route}";
        var text = Operations.ByRoute.GetValueOrDefault(key) ?? throw new InvalidOperationException($"{key} has no entry in Contract/Operations.cs");
        operation.OperationId = text.Id;
        operation.Summary = text.Summary;
        operation.Description = $"{text.Description}\n\nWho: anyone, without a token.";
        operation.Security = [new OpenApiSecurityRequirement()];
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            var (schema, description) = Parameters.Query(route, parameter.Name!);
            parameter.Schema = schema;
            parameter.Description = description;
        }
        var responses = operation.Responses ??= new OpenApiResponses();
        foreach (var status in responses.Keys.Where(k => !k.StartsWith('2')).ToList()) responses.Remove(status);
        var ok = (OpenApiResponse)responses["200"];
        ok.Description = "A page of the list; ETag, Last-Modified and Cache-Control let a public site cache it.";
        ok.Content ??= new Dictionary<string, OpenApiMediaType>();
        ok.Content[Spreadsheets.Tabular.CsvType] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The same rows as CSV: UTF-8 with a byte-order mark, Chinese headers." },
        };
        ok.Content[Spreadsheets.Tabular.XlsxType] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The same rows as an Excel workbook, with date cells." },
        };
        responses["304"] = new OpenApiResponse { Description = "Not modified: If-None-Match names the current ETag." };
        responses["400"] = Error(document, 400, "The request is invalid: errors names each offending query parameter.");
        responses["429"] = Error(document, 429, "Too many requests from this address; retry after Retry-After seconds.", "Retry-After");
        responses["503"] = Error(document, 503, "The registry's database is not reachable; retry after Retry-After seconds.", "Retry-After");
        var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in ordered) responses[status] = response;
    }

    // Success bodies the generator cannot see: streamed NDJSON and CSV.
    private static void Success(OpenApiDocument document, string route, string method, OpenApiResponses responses)
    {
        switch ($"{method} {route}")
        {
            case "GET /api/audit/events":
                Content(responses, "200")["application/x-ndjson"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference("FeedEvent", document) };
                ((OpenApiResponse)responses["200"]).Description = "A page of events (JSON), or with Accept: application/x-ndjson one event a line and no paging.";
                break;
            case "POST /api/admin/projections/rebuild":
                ((OpenApiResponse)responses["202"]).Description = "Started: the rebuild runs in the background; Location is its status resource, the body its status now.";
                break;
            case "GET /api/audit/export":
                ((OpenApiResponse)responses["200"]).Description = "One stored event a line (NDJSON), in sequence order; Content-Disposition names the file.";
                break;
            case "GET /api/statistics/integrated-care" or "GET /api/institutions" or "GET /api/alerts":
                Content(responses, "200")[Spreadsheets.Tabular.CsvType] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The same rows as CSV: UTF-8 with a byte-order mark, Chinese headers." },
                };
                Content(responses, "200")[Spreadsheets.Tabular.XlsxType] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The same rows as an Excel workbook, with date cells." },
                };
                break;
        }
        foreach (var response in responses.Values.OfType<OpenApiResponse>())
            if (response.Description is null or "OK" or "Created" or "Accepted")
                response.Description = response.Description switch { "Created" => "Created.", "Accepted" => "Accepted: waiting for a decision.", _ => "OK." };
    }

    private static IDictionary<string, OpenApiMediaType> Content(OpenApiResponses responses, string status) =>
        ((OpenApiResponse)responses[status]).Content ??= new Dictionary<string, OpenApiMediaType>();

    private static OpenApiResponse Error(OpenApiDocument document, int status, string description, string? header = null)
    {
        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemJson] = new() { Schema = new OpenApiSchemaReference(status == 400 ? "ValidationProblem" : "Problem", document) },
            },
        };
        if (header is not null) response.Headers = new Dictionary<string, IOpenApiHeader> { [header] = new OpenApiHeaderReference(header, document) };
        return response;
    }

    private static OpenApiSchema Problem(bool validation)
    {
        var text = new OpenApiSchema { Type = JsonSchemaType.String };
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = validation ? "RFC 9457 problem details with the field errors." : "RFC 9457 problem details.",
            Required = new HashSet<string> { "status", "title" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI naming the kind of problem." },
                ["title"] = text,
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, for a person." },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's trace, for the logs." },
            },
        };
        if (validation)
        {
            schema.Required.Add("errors");
            schema.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "For each offending field (a body field, query parameter or header, or body for the body as a whole), what is wrong with it.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, MinItems = 1, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
        }
        return schema;
    }

    private static Dictionary<string, IOpenApiHeader> Headers() => new()
    {
        ["ETag"] = Header("The stream version after the command (a strong tag such as \"3\"): send it back as If-Match."),
        ["Location"] = Header("Where the new resource is read."),
        ["Idempotent-Replayed"] = Header("true when this is the stored answer to an earlier request with the same Idempotency-Key."),
        ["WWW-Authenticate"] = Header("Bearer, with error=\"invalid_token\" when the token's claims cannot be used."),
        ["Retry-After"] = Header("Seconds to wait before retrying.", JsonSchemaType.Integer),
    };

    private static OpenApiHeader Header(string description, JsonSchemaType type = JsonSchemaType.String) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };

    private static string Who(AccessRule rule)
    {
        var roles = string.Join(", ", rule.Roles.Select(Json.Wire));
        var department = rule.Department switch
        {
            DepartmentRule.PermitType => "; of the department that owns the permit type",
            DepartmentRule.PermitInRoute => "; of the permit's department",
            DepartmentRule.PermitNamedElseAny => "; of the permit's department for a suspension or revocation",
            DepartmentRule.DepartmentsNamed => "; of one of the departments named",
            DepartmentRule.InspectionInRoute => "; of one of the inspection's departments",
            DepartmentRule.RecorderOfEntry => "; of the department that recorded the entry",
            DepartmentRule.ServiceNamed => "; of the department that owns the service (civil affairs for day care and dementia care, health for the rest)",
            DepartmentRule.OwnerOfFact => "; of the department that owns the fact (health for designations and staff; civil affairs for occupancy and care-home grades; health for hospital grades)",
            _ => "",
        };
        var place = rule.Jurisdiction switch
        {
            JurisdictionRule.DivisionNamed => "; covering the district named (and the predecessor's)",
            JurisdictionRule.InstitutionInRoute => "; covering the institution's jurisdiction",
            JurisdictionRule.CodeInRoute => "; covering the jurisdiction in the route",
            JurisdictionRule.InstitutionsNamed => "; covering every institution named",
            JurisdictionRule.InspectionInRoute => "; covering at least one inspected institution",
            JurisdictionRule.PartiesNamed or JurisdictionRule.PartnershipInRoute => "; covering at least one party",
            JurisdictionRule.EntryNamed => "; covering an institution the entry concerns",
            JurisdictionRule.SearchFilter => "; narrowed to the caller's jurisdiction",
            JurisdictionRule.JurisdictionNamed => "; covering the jurisdiction named (00, the nation: national callers)",
            JurisdictionRule.SubscriptionInRoute => "; covering the subscription's jurisdiction",
            _ => rule.NationalOnly ? "; national callers only" : "",
        };
        return roles + department + place;
    }

    // Response bodies are written with nulls left out: a nullable field is optional and, when present, not null;
    // every other field is always there.
    private static void AsSerialised(OpenApiSchema schema)
    {
        if (schema.Properties is not { Count: > 0 } properties) return;
        var required = new HashSet<string>();
        foreach (var (name, property) in properties.ToList())
        {
            if (property is OpenApiSchema p && p.Type is { } t && t.HasFlag(JsonSchemaType.Null) && t != JsonSchemaType.Null)
                p.Type = t & ~JsonSchemaType.Null;
            else if (property is OpenApiSchema { OneOf: { Count: 2 } oneOf } && oneOf.FirstOrDefault(o => o is OpenApiSchema { Type: JsonSchemaType.Null }) is { } nullOption)
                properties[name] = oneOf.Single(o => !ReferenceEquals(o, nullOption));
            else
            {
                required.Add(name);
                continue;
            }
        }
        schema.Required = required;
    }

    private static readonly Dictionary<string, Type> TypesByName = typeof(DocumentContract).Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith("CareRegistry.", StringComparison.Ordinal) == true && !t.IsGenericTypeDefinition)
        .GroupBy(t => t.Name).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single());

    private static Type? TypeNamed(string component) => TypesByName.GetValueOrDefault(component);
}
