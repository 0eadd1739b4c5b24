using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Contract;

// docs/openapi.json is the contract as served: the linters (ops/test), the generated C# client and the TypeScript
// types are made from it. When the served document differs, the test writes it there and fails, so the change is
// reviewed in the diff and committed with the code that made it.
public sealed class OpenApiDocumentTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    public static string RepositoryFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CareRegistry.sln"))) dir = dir.Parent;
        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("no CareRegistry.sln above " + AppContext.BaseDirectory), .. parts]);
    }

    [Fact]
    public async Task The_committed_document_is_the_one_served()
    {
        var served = await Client.GetStringAsync("/openapi/v1.json");
        var text = JsonNode.Parse(served)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        var path = RepositoryFile("docs", "openapi.json");
        var committed = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
        if (committed == text) return;
        await File.WriteAllTextAsync(path, text);
        Assert.Fail($"{path} was not the document the service serves; it has been rewritten: review the change and commit it.");
    }

    [Fact]
    public async Task Every_api_operation_names_its_errors_and_takes_a_bearer_token()
    {
        var document = JsonNode.Parse(await Client.GetStringAsync("/openapi/v1.json"))!;
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
        Assert.NotNull(document["security"]![0]!["bearer"]);
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject())
            {
                var responses = operation!["responses"]!.AsObject();
                // The public disclosure lists take no token: they say so, and answer 304 and 429 instead.
                if (path.StartsWith("/public/"))
                {
                    Assert.Equal("[{}]", operation["security"]?.ToJsonString());
                    Assert.True(responses.ContainsKey("304") && responses.ContainsKey("429"), $"{method} {path} lists no 304 or 429");
                }
                else Assert.True(responses.ContainsKey("401") && responses.ContainsKey("403"), $"{method} {path} lists no 401 or 403");
                Assert.Contains(responses, r => r.Key.StartsWith('2'));
                foreach (var (status, response) in responses.Where(r => !r.Key.StartsWith('2') && r.Key != "304"))
                    Assert.True(response!["content"]?["application/problem+json"] is not null, $"{method} {path} {status} is not a problem");
                Assert.DoesNotContain("IResult", operation.ToJsonString());
            }
    }
}

// The check every answer goes through (Infrastructure/ContractCheck) refuses what the document does not state.
public sealed class ContractCheckTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private const string Institution = "/api/institutions/0191f3a2-7c4e-7d1a-9b2c-3e4f5a6b7c8d";

    [Fact]
    public void An_answer_outside_the_document_is_a_violation()
    {
        var contract = Fixture.Contract;
        Assert.Contains("does not list status 418", Assert.Single(contract.Check("GET", Institution, 418, "application/problem+json", "{}")));
        Assert.Contains("media type text/html", Assert.Single(contract.Check("GET", Institution, 200, "text/html", "<p>")));
        Assert.NotEmpty(contract.Check("GET", Institution, 404, "application/problem+json", """{"status":404}"""));
        Assert.NotEmpty(contract.Check("POST", "/api/institutions", 400, "application/problem+json", """{"status":400,"title":"The request is invalid"}"""));
        Assert.NotEmpty(contract.Check("GET", "/api/audit/events", 200, "application/x-ndjson", "{\"sequence\":1}\n"));
        Assert.NotEmpty(contract.Check("POST", "/api/institutions", 201, "application/json", """{"id":"not-a-uuid","version":1}"""));
        Assert.NotEmpty(contract.Check("POST", "/api/institutions", 201, "application/json", """{"id":"0191f3a2-7c4e-7d1a-9b2c-3e4f5a6b7c8d","version":1,"warnings":null}"""));
        Assert.Empty(contract.Check("POST", "/api/institutions", 201, "application/json", """{"id":"0191f3a2-7c4e-7d1a-9b2c-3e4f5a6b7c8d","version":1}"""));
        Assert.Empty(contract.Check("GET", Institution, 404, "application/problem+json", """{"status":404,"title":"Not found"}"""));
    }
}

// Every operation of the document, called the ways that fail before anything is looked up: without a token (401),
// a command sent as text/plain (415), each typed query parameter with a value it does not take (400). Each answer
// goes through ContractCheck like any other, so the statuses the document lists are seen on every route.
public sealed class ContractSweepTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static string Concrete(string template) => System.Text.RegularExpressions.Regex.Replace(template, "{(id|permitId|findingId)}", _ => Guid.CreateVersion7().ToString())
        .Replace("{code}", "530112");

    private async Task<IEnumerable<(string Method, string Path, JsonObject Operation)>> Operations()
    {
        var document = JsonNode.Parse(await Client.GetStringAsync("/openapi/v1.json"))!;
        return document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (o.Key.ToUpperInvariant(), p.Key, o.Value!.AsObject()))).ToList();
    }

    [Fact]
    public async Task Without_a_token_every_operation_answers_the_documented_401()
    {
        foreach (var (method, path, _) in (await Operations()).Where(o => o.Path.StartsWith("/api/")))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), Concrete(path));
            if (method == "POST") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            var answer = await Answer.From(await Fixture.Anonymous.SendAsync(request));
            answer.ShouldBeProblem(System.Net.HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_command_that_is_not_json_answers_the_documented_415()
    {
        foreach (var (method, path, operation) in await Operations())
        {
            if (method != "POST" || operation["requestBody"] is null) continue;
            var answer = await Client.PostRaw(Concrete(path), "{}", contentType: "text/plain");
            answer.ShouldBeProblem(System.Net.HttpStatusCode.UnsupportedMediaType);
        }
    }

    [Fact]
    public async Task A_query_parameter_outside_its_schema_answers_the_documented_400()
    {
        foreach (var (method, path, operation) in await Operations())
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
            {
                var name = parameter!["name"]!.GetValue<string>();
                if (parameter["in"]!.GetValue<string>() != "query" || parameter["schema"]!["minLength"] is not null && parameter["schema"]!["pattern"] is null) continue;
                var answer = await Client.Get($"{Concrete(path)}?{name}=no%20such%20value");
                if (answer.Status == System.Net.HttpStatusCode.NotFound) continue;
                answer.ShouldBeProblem(System.Net.HttpStatusCode.BadRequest, name);
            }
    }
}
