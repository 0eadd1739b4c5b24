using System.Net;
using System.Text;
using CareRegistry.Tests.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CareRegistry.Tests.Reliability;

// Every route, every kind of bad input: a 4xx problem each time, never a 5xx, and the event log unchanged.
public class HostileInputTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static readonly string Deep = new string('[', 200) + new string(']', 200);

    public static readonly (string Name, byte[] Body)[] Bodies =
    [
        ("empty", []),
        ("truncated", "{\"name\":"u8.ToArray()),
        ("array", "[1,2,3]"u8.ToArray()),
        ("null", "null"u8.ToArray()),
        ("number", "123"u8.ToArray()),
        ("string", "\"x\""u8.ToArray()),
        ("empty object", "{}"u8.ToArray()),
        ("deep nesting", Encoding.UTF8.GetBytes("{\"a\":" + Deep + "}")),
        ("invalid utf-8", [0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        ("control characters", Encoding.UTF8.GetBytes("{\"name\":\"a\\u0000b\",\"reason\":\"\\u0007\",\"note\":\"x\\u001b\"}")),
        ("duplicate keys", "{\"effectiveOn\":\"2020-01-01\",\"effectiveOn\":\"2021-01-01\"}"u8.ToArray()),
        ("wrong types", "{\"effectiveOn\":20200101,\"beds\":\"many\",\"type\":7,\"kind\":true,\"partyIds\":\"x\",\"institutionIds\":{}}"u8.ToArray()),
        ("out-of-range dates", "{\"effectiveOn\":\"0001-01-01\",\"decidedOn\":\"9999-12-31\",\"openedOn\":\"1900-02-30\"}"u8.ToArray()),
        ("huge numbers", "{\"demeritPoints\":1e400,\"amount\":-99999999999999999999,\"threshold\":2147483648}"u8.ToArray()),
        ("unknown enums", "{\"type\":\"licence\",\"kind\":\"hotel\",\"decision\":\"maybe\",\"outcome\":\"perhaps\",\"action\":\"jail\",\"regime\":\"lottery\"}"u8.ToArray()),
        ("injection strings", Encoding.UTF8.GetBytes("{\"name\":\"x'); drop table mt_events; --\",\"q\":\"$.name\",\"reason\":\"' or 1=1 --\",\"basis\":\"{{7*7}}\"}")),
        ("huge string", Encoding.UTF8.GetBytes("{\"name\":\"" + new string('长', 700_000) + "\"}")),
        ("huge array", Encoding.UTF8.GetBytes("{\"institutionIds\":[" + string.Join(",", Enumerable.Repeat("\"00000000-0000-0000-0000-000000000000\"", 50_000)) + "]}")),
    ];

    private static readonly string[] BadQueries =
    [
        "asOf=yesterday", "asOf=2020-02-30", "recordedAsOf=soon", "limit=-1", "limit=100000", "cursor=%%%%", "cursor=Zm9v",
        "jurisdiction=x'%20or%201=1", "kind=hotel", "from=someday", "status=maybe", "after=-5", "upTo=abc", "includePredecessors=yes",
        "order=random", "activeOn=never", "institutionId=not-a-guid", "q=" + new string('x', 300), "parent=5399",
    ];

    private async Task<long> Events()
    {
        await using var session = Fixture.Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }

    // Routes that take a body (the rebuild takes none and ignores one).
    private IEnumerable<(string Method, string Route)> Routes() =>
        Fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/") == true)
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is not null
                        || e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct();

    private async Task<Dictionary<string, string>> RealIds()
    {
        var home = await Client.Register(Scenario.CareHome());
        var hospital = await Client.Register(Scenario.Hospital());
        var permit = (await Client.Submit(home, CareRegistry.Permits.PermitType.ElderlyCare, new DateOnly(2016, 1, 1))).Id;
        var inspection = (await Client.Post("/api/inspections", new CareRegistry.Inspections.OpenInspection(CareRegistry.Inspections.InspectionKind.Routine,
            [home], [CareRegistry.Common.Department.Health], ["王"], new DateOnly(2020, 1, 1)))).Id;
        var finding = (await Client.Post($"/api/inspections/{inspection}/findings", new CareRegistry.Inspections.RecordFinding(home,
            CareRegistry.Inspections.FindingCategory.Other, CareRegistry.Inspections.Severity.Minor, 1, "x", new DateOnly(2020, 2, 1), new DateOnly(2020, 1, 2))))["findingId"].GetValue<string>();
        var partnership = (await Client.Post("/api/partnerships", new CareRegistry.Partnerships.SignPartnership(CareRegistry.Partnerships.PartnershipKind.CareMedical,
            [home, hospital], [CareRegistry.Partnerships.PartnershipService.EmergencyCare], new DateOnly(2020, 1, 1), new DateOnly(2022, 1, 1)))).Id;
        return new() { ["institution"] = home.ToString(), ["permitId"] = permit.ToString(), ["inspection"] = inspection.ToString(),
            ["findingId"] = finding, ["partnership"] = partnership.ToString(), ["code"] = "530111" };
    }

    private static string Fill(string route, Dictionary<string, string> ids)
    {
        var id = route.StartsWith("/api/inspections") ? ids["inspection"] : route.StartsWith("/api/partnerships") ? ids["partnership"] : ids["institution"];
        return route.Replace("{id}", id).Replace("{permitId}", ids["permitId"]).Replace("{findingId}", ids["findingId"]).Replace("{code}", ids["code"]);
    }

    [Fact]
    public async Task Every_command_route_answers_every_bad_body_with_a_4xx_problem_and_writes_nothing()
    {
        var ids = await RealIds();
        var before = await Events();
        var tried = 0;
        foreach (var (_, route) in Routes().Where(r => r.Method == "POST"))
        foreach (var (name, body) in Bodies)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Fill(route, ids)) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            var answer = await Answer.From(await Client.SendAsync(request));
            var status = (int)answer.Status;
            Assert.True(status is >= 400 and < 500, $"POST {route} with {name}: {status} {answer.Text[..Math.Min(300, answer.Text.Length)]}");
            if (status != 413) Assert.Equal("application/problem+json", answer.ContentType);
            tried++;
        }
        Assert.Equal(before, await Events());
        Assert.True(tried > 400, $"only {tried} requests were tried");
    }

    [Fact]
    public async Task Every_read_route_answers_bad_parameters_with_a_4xx_problem()
    {
        var ids = await RealIds();
        foreach (var (_, route) in Routes().Where(r => r.Method == "GET"))
        {
            var anyBad = false;
            foreach (var query in BadQueries)
            {
                var answer = await Client.Get($"{Fill(route, ids)}?{query}");
                var status = (int)answer.Status;
                Assert.True(status < 500, $"GET {route}?{query}: {status} {answer.Text[..Math.Min(300, answer.Text.Length)]}");
                if (status >= 400) { Assert.Equal("application/problem+json", answer.ContentType); anyBad = true; }
            }
            // A parameter a route does not declare is refused too, so every route refuses at least one.
            Assert.True(anyBad, $"GET {route} accepted every bad parameter");
        }
        foreach (var route in new[] { "/api/institutions/not-a-guid", "/api/inspections/123", "/api/partnerships/%20", "/api/jurisdictions/abc", "/api/divisions/abc", "/api/divisions/530199" })
            Assert.True((int)(await Client.Get(route)).Status is >= 400 and < 500, route);
    }

    [Fact]
    public async Task Every_read_refuses_a_query_parameter_it_does_not_declare()
    {
        var ids = await RealIds();
        foreach (var (_, route) in Routes().Where(r => r.Method == "GET"))
        {
            var answer = await Client.Get($"{Fill(route, ids)}?asof_typo=2020-01-01");
            answer.ShouldBeProblem(HttpStatusCode.BadRequest, "asof_typo");
            Assert.Contains("is not a parameter of this read", answer.Text);
        }
        // The history has no effective-date clock: asOf is refused, naming what it takes.
        var history = (await Client.Get($"/api/institutions/{ids["institution"]}/history?asOf=2020-01-01")).ShouldBeProblem(HttpStatusCode.BadRequest, "asOf");
        Assert.Contains("includePredecessors, order, recordedAsOf, cursor, limit", history.Text);
        (await Client.Get("/api/divisions/530111?parent=53")).ShouldBeProblem(HttpStatusCode.BadRequest, "parent");
        // Declared names match as ASP.NET Core binds them, whatever their case.
        (await Client.Get($"/api/institutions/{ids["institution"]}?ASOF=2020-01-01&recordedasof=2030-01-01T00:00:00Z")).ShouldBe(HttpStatusCode.OK);
    }

    // A seeded generator of command payloads: random fields from every command, random values of every JSON type.
    [Fact]
    public async Task Random_payloads_never_cause_a_5xx()
    {
        var ids = await RealIds();
        var random = new Random(20261128);
        string[] fields = ["name", "uscc", "kind", "ownership", "jurisdiction", "address", "beds", "effectiveOn", "reason", "type", "number", "expiresOn",
            "decision", "decidedOn", "dueOn", "note", "permitType", "regime", "basis", "pendingApplications", "action", "permitId", "amount", "institutionIds",
            "departments", "inspectors", "openedOn", "institutionId", "category", "severity", "demeritPoints", "description", "rectificationDue", "closedOn",
            "summary", "reportedOn", "verifiedOn", "outcome", "filedOn", "grounds", "partyIds", "services", "validFrom", "validTo", "threshold", "operator"];
        string Value(int depth) => random.Next(depth > 2 ? 7 : 9) switch
        {
            0 => "null", 1 => random.Next(-5, 5000).ToString(), 2 => "true", 3 => "\"2020-0" + random.Next(1, 9) + "-1" + random.Next(0, 9) + "\"",
            4 => "\"" + Guid.NewGuid() + "\"", 5 => "\"" + new string((char)random.Next(32, 0x9fff), random.Next(0, 40)).Replace("\\", "").Replace("\"", "") + "\"",
            6 => "\"" + new[] { "elderly-care", "medical", "health", "filing", "granted", "accepted", "minor", "routine", "care-medical" }[random.Next(9)] + "\"",
            7 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => Value(depth + 1))) + "]",
            _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => $"\"{fields[random.Next(fields.Length)]}\":{Value(depth + 1)}")) + "}",
        };
        var routes = Routes().Where(r => r.Method == "POST").Select(r => r.Route).ToList();
        for (var n = 0; n < 400; n++)
        {
            var route = routes[random.Next(routes.Count)];
            var body = "{" + string.Join(",", Enumerable.Range(0, random.Next(1, 8)).Select(_ => $"\"{fields[random.Next(fields.Length)]}\":{Value(0)}")) + "}";
            var answer = await Client.PostRaw(Fill(route, ids), body);
            Assert.True((int)answer.Status < 500, $"POST {route} {body}: {(int)answer.Status} {answer.Text[..Math.Min(300, answer.Text.Length)]}");
        }
    }
}
