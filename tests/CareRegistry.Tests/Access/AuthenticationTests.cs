using System.Net;
using System.Net.Http.Headers;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Access;

public class AuthenticationTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private async Task<Answer> GetWith(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/institutions");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Answer.From(await Fixture.Anonymous.SendAsync(request));
    }

    public static TheoryData<string> BadTokens => ["none", "garbage", "expired", "wrong-key", "wrong-audience", "wrong-issuer"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Missing_or_invalid_credentials_are_401(string kind)
    {
        var otherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var token = kind switch
        {
            "none" => null,
            "garbage" => "not.a.token",
            "expired" => Fixture.Tokens.For("li", Department.Health, Role.Officer, lifetime: TimeSpan.FromMinutes(-5)),
            "wrong-key" => new DevTokens(otherKey).For("li", Department.Health, Role.Officer),
            "wrong-audience" => new DevTokens(RegistryFixture.SigningKey, audience: "someone-else").For("li", Department.Health, Role.Officer),
            _ => new DevTokens(RegistryFixture.SigningKey, issuer: "someone-else").For("li", Department.Health, Role.Officer),
        };
        var answer = await GetWith(token);
        answer.ShouldBeProblem(HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", answer.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Health_and_docs_stay_open()
    {
        Assert.Equal(HttpStatusCode.OK, (await Fixture.Anonymous.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Fixture.Anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        var openapi = await Fixture.Anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("bearer", openapi);
    }

    [Fact]
    public async Task The_caller_recorded_on_events_is_the_token_s()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/institutions")
        {
            Content = System.Net.Http.Json.JsonContent.Create(Scenario.CareHome(jurisdiction: "530111"), options: Json.Options),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Fixture.Tokens.For("wang.fang", Department.MedicalInsurance, Role.Officer, "530111"));
        var id = (await Answer.From(await Fixture.Anonymous.SendAsync(request))).ShouldBe(HttpStatusCode.Created).Id;

        var entry = (await Client.Get($"/api/institutions/{id}/history"))["items"][0]!;
        Assert.Equal("wang.fang", entry["user"]!.GetValue<string>());
        Assert.Equal("medical-insurance", entry["department"]!.GetValue<string>());
        Assert.Equal("officer", entry["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reads_stay_inside_the_callers_jurisdiction_unless_national_or_auditor()
    {
        var kunming = await Client.Register(Scenario.CareHome("昆明读", "530111"));
        var yubei = await Client.Register(Scenario.CareHome("渝北读", "500112"));
        var local = Fixture.Tokens.For("zhao", Department.CivilAffairs, Role.Inspector, "5301");

        async Task<Answer> Read(string url, string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await Answer.From(await Fixture.Anonymous.SendAsync(request));
        }

        (await Read($"/api/institutions/{kunming}", local)).ShouldBe(HttpStatusCode.OK);
        (await Read($"/api/institutions/{yubei}", local)).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await Read("/api/institutions?jurisdiction=50", local)).ShouldBeProblem(HttpStatusCode.Forbidden);
        var names = (await Read("/api/institutions", local)).ShouldBe(HttpStatusCode.OK)["items"].AsArray().Select(i => i!["name"]!.GetValue<string>());
        Assert.Equal(["昆明读"], names);
        Assert.Equal(2, (await Read("/api/institutions", Fixture.Tokens.For("audit", null, Role.Auditor, "530111")))["items"].AsArray().Count);
        (await Read("/api/audit/verify", local)).ShouldBeProblem(HttpStatusCode.Forbidden);

        // An officer's token without a jurisdiction claim is refused outright.
        var nowhere = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = "x", ["role"] = "officer", ["department"] = "health" },
            Issuer = "careregistry-dev", Audience = "careregistry", Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(Authentication.KeyBytes(RegistryFixture.SigningKey)), "HS256"),
        });
        var refused = (await Read("/api/institutions", nowhere)).ShouldBeProblem(HttpStatusCode.Unauthorized);
        Assert.Contains("must name a jurisdiction", refused["detail"].GetValue<string>());
    }
}
