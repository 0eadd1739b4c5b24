extern alias JsonSchemaNet;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JsonSchemaNet::Json.Schema;

namespace CareRegistry.Tests.Infrastructure;

// The OpenAPI document the host serves, read as the contract every answer must keep: for a request it finds the
// operation, then checks that the status is documented, that the media type is one documented for it, and that the
// body (each line of NDJSON) is valid against the documented schema. Schemas are evaluated as JSON Schema 2020-12
// (what OpenAPI 3.1 uses), formats included.
public sealed class ContractDocument
{
    private static readonly Uri Root = new("https://careregistry.test/openapi");

    private readonly List<(Regex Pattern, string Template, JsonObject Item)> _paths = [];
    private readonly Dictionary<(string, string, string, string), string> _schemaKeys = [];
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();
    private readonly EvaluationOptions _options = new() { RequireFormatValidation = true, OutputFormat = OutputFormat.List };

    public ContractDocument(string json)
    {
        // Component references become $defs of one schema document, with every response schema beside them.
        var document = JsonNode.Parse(json.Replace("\"#/components/schemas/", "\"#/$defs/"))!.AsObject();
        var defs = document["components"]?["schemas"]?.DeepClone().AsObject() ?? [];
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            var pattern = new Regex("^" + Regex.Replace(Regex.Escape(template), @"\\\{[^/]+?}", "[^/]+") + "$");
            _paths.Add((pattern, template, item!.AsObject()));
            foreach (var (method, operation) in item.AsObject())
                foreach (var (status, response) in operation?["responses"]?.AsObject() ?? [])
                    foreach (var (media, content) in response?["content"]?.AsObject() ?? [])
                        if (content?["schema"] is { } schema)
                        {
                            var key = $"response{_schemaKeys.Count}";
                            defs[key] = schema.DeepClone();
                            _schemaKeys[(template, method, status, media)] = key;
                        }
        }
        // Paths with fewer parameters first, so a literal segment wins over a parameter.
        _paths.Sort((a, b) => a.Template.Count(c => c == '{').CompareTo(b.Template.Count(c => c == '{')));
        var root = new JsonObject { ["$schema"] = "https://json-schema.org/draft/2020-12/schema", ["$id"] = Root.ToString(), ["$defs"] = defs };
        _options.SchemaRegistry.Register(JsonSchema.FromText(root.ToJsonString()));
    }

    // The operations and statuses the suite has seen answered, for the report.
    public ConcurrentDictionary<string, int> Seen { get; } = new();

    public ConcurrentDictionary<string, int> Unmatched { get; } = new();

    public IReadOnlyList<string> Check(string method, string path, int status, string? mediaType, string body)
    {
        method = method.ToLowerInvariant();
        var match = _paths.FirstOrDefault(p => p.Pattern.IsMatch(path));
        if (match.Item is null || match.Item[method] is not JsonObject operation)
        {
            // Not an operation of the document (an unknown route, or a method the route does not have): nothing to hold it to.
            if (path.StartsWith("/api/", StringComparison.Ordinal)) Unmatched.AddOrUpdate($"{method.ToUpperInvariant()} {path} {status}", 1, (_, n) => n + 1);
            return [];
        }
        var name = $"{method.ToUpperInvariant()} {match.Template} {status}";
        Seen.AddOrUpdate(name, 1, (_, n) => n + 1);
        if (operation["responses"]?[status.ToString()] is not JsonObject response)
            return [$"{name}: the document does not list status {status} for this operation"];
        var contents = response["content"]?.AsObject();
        if (method == "head" || status == 304) return [];
        if (contents is null || contents.Count == 0)
            return body.Length == 0 ? [] : [$"{name}: the document says no body, but one came ({mediaType})"];
        if (mediaType is null || !contents.ContainsKey(mediaType))
            return [$"{name}: media type {mediaType ?? "(none)"} is not one the document lists ({string.Join(", ", contents.Select(c => c.Key))})"];
        if (!_schemaKeys.TryGetValue((match.Template, method, status.ToString(), mediaType), out var key)) return [];

        var schema = _schemas.GetOrAdd(key, k => JsonSchema.FromText($$"""{"$ref": "{{Root}}#/$defs/{{k}}"}"""));
        var documents = mediaType == "application/x-ndjson"
            ? body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : mediaType.EndsWith("json", StringComparison.Ordinal) ? [body] : [];
        var violations = new List<string>();
        foreach (var (text, line) in documents.Select((t, i) => (t, i + 1)))
        {
            JsonNode? node;
            try { node = JsonNode.Parse(text); }
            catch (JsonException e) { violations.Add($"{name}: the body is not JSON: {e.Message}"); continue; }
            var result = schema.Evaluate(node, _options);
            if (result.IsValid) continue;
            var where = documents.Length > 1 ? $" (line {line})" : "";
            violations.AddRange((result.Details ?? []).Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e =>
                $"{name}{where}: at '{d.InstanceLocation}' ({d.EvaluationPath}): {e.Key}: {e.Value}")).Take(10));
        }
        return violations;
    }
}

// Holds every answer the suite receives to the document: a drift fails the test that got it, with what was wrong.
public sealed class ContractCheck(ContractDocument contract) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await base.SendAsync(request, ct);
        await response.Content.LoadIntoBufferAsync(ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        var violations = contract.Check(request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType, body);
        if (violations.Count > 0)
            throw new ContractViolation($"{request.Method} {request.RequestUri.PathAndQuery} answered {(int)response.StatusCode} " +
                                        $"{response.Content.Headers.ContentType}, which the OpenAPI document does not allow:\n  "
                                        + string.Join("\n  ", violations) + $"\nbody: {(body.Length > 2000 ? body[..2000] + "…" : body)}");
        return response;
    }
}

public sealed class ContractViolation(string message) : Xunit.Sdk.XunitException(message);
