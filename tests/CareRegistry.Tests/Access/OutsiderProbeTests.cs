using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;
using Marten;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CareRegistry.Tests.Access;

// The probes of an outside tester (issue 13), re-run: each gets the refusal or the clean answer, and nothing
// already recorded changes.
public class OutsiderProbeTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static readonly DateOnly Day = new(2020, 1, 1);

    private async Task<Answer> Send(HttpMethod method, string url, string token, string? json = null, string contentType = "application/json",
        string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Answer.From(await Fixture.Anonymous.SendAsync(request));
    }

    private async Task<long> Events()
    {
        await using var session = Fixture.Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }

    // A token signed with the registry's key, carrying exactly these claims.
    private static string Token(Dictionary<string, object> claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Claims = claims, Issuer = "careregistry-dev", Audience = "careregistry", Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new(new SymmetricSecurityKey(Authentication.KeyBytes(RegistryFixture.SigningKey)), "HS256"),
    });

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("1")]
    [InlineData("1.0")]
    [InlineData("[1]")]
    public async Task A_correction_by_another_department_is_refused_whatever_the_version_looks_like(string version)
    {
        var home = await Client.Register(Scenario.CareHome("更正探测", "530111"));
        var far = await Client.Register(Scenario.CareHome("渝北更正探测", "500112"));
        var near = (await Client.Submit(home, PermitType.ElderlyCare, Day)).Id;
        var away = (await Client.Submit(far, PermitType.ElderlyCare, Day)).Id;
        var health = Fixture.Tokens.For("probe", Department.Health, Role.Officer, "530111");
        var before = await Events();

        foreach (var permit in new[] { near, away })
        {
            var answer = await Send(HttpMethod.Post, "/api/corrections", health, $$"""{"streamId":"{{permit}}","version":{{version}},"reason":"x"}""");
            Assert.True(answer.Status is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"version {version}: {(int)answer.Status} {answer.Text}");
            Assert.Equal("application/problem+json", answer.ContentType);
        }
        Assert.Equal(before, await Events());
        (await Client.Get($"/api/institutions/{home}/permits/{near}")).ShouldBe(HttpStatusCode.OK);
        (await Client.Get($"/api/institutions/{far}/permits/{away}")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_predecessor_outside_the_callers_jurisdiction_is_refused_and_a_history_shows_only_what_the_caller_may_read()
    {
        var chongqing = await Client.Register(Scenario.CareHome("渝北前身", "500112"));
        var kunming = Fixture.Tokens.For("probe", Department.CivilAffairs, Role.Officer, "530111");
        var before = await Events();

        var refused = await Send(HttpMethod.Post, "/api/institutions", kunming,
            System.Text.Json.JsonSerializer.Serialize(Scenario.CareHome("借壳养老院", "530111", predecessorId: chongqing), Json.Options));
        refused.ShouldBeProblem(HttpStatusCode.Forbidden);
        Assert.Contains("predecessor", refused["detail"].GetValue<string>());
        Assert.Equal(before, await Events());
        var predecessor = await Client.Get($"/api/institutions/{chongqing}");
        Assert.Empty(predecessor["successorIds"].AsArray());

        // A national officer may continue it; a district reader of the successor then sees only the successor's entries.
        var successor = await Client.Register(Scenario.CareHome("接续养老院", "530111", predecessorId: chongqing));
        var history = await Send(HttpMethod.Get, $"/api/institutions/{successor}/history?includePredecessors=true", kunming);
        history.ShouldBe(HttpStatusCode.OK);
        Assert.All(history["items"].AsArray(), e => Assert.NotEqual(chongqing.ToString(), e!["streamId"]!.GetValue<string>()));
        var national = await Client.Get($"/api/institutions/{successor}/history?includePredecessors=true");
        Assert.Contains(national["items"].AsArray(), e => e!["streamId"]!.GetValue<string>() == chongqing.ToString());
    }

    public static TheoryData<string, string> ClaimsOutsideTheVocabulary => new()
    {
        { "role viewer", """{"role":"viewer","department":"civil-affairs","jurisdiction":"530111"}""" },
        { "no role", """{"department":"civil-affairs","jurisdiction":"530111"}""" },
        { "department police", """{"role":"officer","department":"police","jurisdiction":"530111"}""" },
        { "officer without department", """{"role":"officer","jurisdiction":"530111"}""" },
        { "jurisdiction 5", """{"role":"officer","department":"civil-affairs","jurisdiction":"5"}""" },
        { "jurisdiction 53011", """{"role":"officer","department":"civil-affairs","jurisdiction":"53011"}""" },
        { "jurisdiction empty", """{"role":"officer","department":"civil-affairs","jurisdiction":""}""" },
        { "jurisdiction 99", """{"role":"officer","department":"civil-affairs","jurisdiction":"99"}""" },
        { "no jurisdiction", """{"role":"officer","department":"civil-affairs"}""" },
        { "no sub", """{"role":"officer","department":"civil-affairs","jurisdiction":"530111","sub":""}""" },
    };

    [Theory]
    [MemberData(nameof(ClaimsOutsideTheVocabulary))]
    public async Task A_token_whose_claims_are_outside_the_vocabulary_is_refused_not_defaulted(string label, string claims)
    {
        var values = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, object>>(claims)!
            .ToDictionary(c => c.Key, c => (object)c.Value.ToString()!);
        values.TryAdd("sub", "probe");
        var token = Token(values);
        var before = await Events();

        var write = await Send(HttpMethod.Post, "/api/institutions", token,
            System.Text.Json.JsonSerializer.Serialize(Scenario.CareHome("词表外", "530111"), Json.Options));
        write.ShouldBeProblem(HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", write.Headers.WwwAuthenticate.ToString());
        Assert.Equal(before, await Events());
        (await Send(HttpMethod.Get, "/api/institutions", token)).ShouldBeProblem(HttpStatusCode.Unauthorized);
        _ = label;
    }

    [Fact]
    public async Task Events_record_only_roles_and_departments_from_the_vocabulary()
    {
        await Client.Register(Scenario.CareHome("元数据", "530111"));
        await using var session = Fixture.Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().ToListAsync();
        Assert.NotEmpty(events);
        foreach (var e in events)
        {
            Assert.True(Json.TryParse<Role>(e.Headers![CareRegistry.Audit.RecordedBy.RoleHeader]!.ToString(), out _));
            if (e.Headers.TryGetValue(CareRegistry.Audit.RecordedBy.DepartmentHeader, out var d)) Assert.True(Json.TryParse<Department>(d!.ToString(), out _));
        }
    }

    [Fact]
    public async Task Input_that_cannot_be_true_is_refused_naming_the_field()
    {
        var officer = Fixture.Tokens.For("probe", Department.CivilAffairs, Role.Officer, "530111");
        var before = await Events();
        var home = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Scenario.CareHome("不可能", "530111"), Json.Options))!;

        var future = home.DeepClone();
        future["establishedOn"] = "2099-01-01";
        (await Send(HttpMethod.Post, "/api/institutions", officer, future.ToJsonString())).ShouldBeProblem(HttpStatusCode.BadRequest, "establishedOn");

        var stringBeds = home.DeepClone();
        stringBeds["beds"]!["elderlyCare"] = "12";
        (await Send(HttpMethod.Post, "/api/institutions", officer, stringBeds.ToJsonString())).ShouldBeProblem(HttpStatusCode.BadRequest);

        foreach (var type in new[] { "application/json; charset=utf-16", "application/merge-patch+json", "text/plain" })
            (await Send(HttpMethod.Post, "/api/institutions", officer, home.ToJsonString(), type)).ShouldBeProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await Events());
    }

    [Fact]
    public async Task A_place_that_is_no_division_code_is_400_naming_the_field_not_a_refusal_about_jurisdictions()
    {
        var officer = Fixture.Tokens.For("probe", Department.CivilAffairs, Role.Officer, "5301");
        var before = await Events();

        foreach (var asked in new[] { "53x", "5301%25", "530199", "5" })
        {
            var read = (await Send(HttpMethod.Get, $"/api/institutions?jurisdiction={asked}", officer)).ShouldBeProblem(HttpStatusCode.BadRequest, "jurisdiction");
            Assert.DoesNotContain("outside your jurisdiction", read.Text);
            (await Send(HttpMethod.Get, $"/api/alerts?jurisdiction={asked}", officer)).ShouldBeProblem(HttpStatusCode.BadRequest, "jurisdiction");
        }
        (await Send(HttpMethod.Post, "/api/jurisdictions/53x/population", officer,
            """{"aged60":1000,"effectiveOn":"2020-01-01","source":"probe"}""")).ShouldBeProblem(HttpStatusCode.BadRequest, "code");
        var home = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Scenario.CareHome("无此区", "530111"), Json.Options))!;
        home["jurisdiction"] = "5301ab";
        (await Send(HttpMethod.Post, "/api/institutions", officer, home.ToJsonString())).ShouldBeProblem(HttpStatusCode.BadRequest, "jurisdiction");

        // A real division outside the caller's is still a refusal, and one inside is read.
        (await Send(HttpMethod.Get, "/api/institutions?jurisdiction=5303", officer)).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await Send(HttpMethod.Post, "/api/jurisdictions/5303/population", officer,
            """{"aged60":1000,"effectiveOn":"2020-01-01","source":"probe"}""")).ShouldBeProblem(HttpStatusCode.Forbidden);
        (await Send(HttpMethod.Get, "/api/institutions?jurisdiction=530111", officer)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(before, await Events());
    }

    [Fact]
    public async Task If_match_compares_strongly_and_a_taken_uscc_names_no_institution_outside_the_callers_jurisdiction()
    {
        var command = Scenario.CareHome("强比较", "500112");
        var id = await Client.Register(command);
        var officer = Fixture.Tokens.For("probe", Department.CivilAffairs, Role.Officer, "500112");
        var weak = await Send(HttpMethod.Post, $"/api/institutions/{id}/beds", officer,
            """{"effectiveOn":"2021-01-01","beds":{"elderlyCare":5}}""", ifMatch: "W/\"1\"");
        weak.ShouldBeProblem(HttpStatusCode.PreconditionFailed);

        var kunming = Fixture.Tokens.For("probe", Department.CivilAffairs, Role.Officer, "530111");
        var taken = await Send(HttpMethod.Post, "/api/institutions", kunming,
            System.Text.Json.JsonSerializer.Serialize(Scenario.CareHome("抢号", "530111", uscc: command.Uscc), Json.Options));
        taken.ShouldBeProblem(HttpStatusCode.Conflict);
        Assert.DoesNotContain(id.ToString(), taken.Text);
    }

    [Fact]
    public async Task A_uscc_issued_in_another_province_is_registered_with_a_warning()
    {
        var away = await Client.Post("/api/institutions", Scenario.CareHome("异地登记", "530111", uscc: Scenario.NewUscc("500112")));
        away.ShouldBe(HttpStatusCode.Created);
        Assert.Contains("500112", away["warnings"][0]!.GetValue<string>());
        var local = await Client.Post("/api/institutions", Scenario.CareHome("本地登记", "530111"));
        local.ShouldBe(HttpStatusCode.Created);
        Assert.Null(local.Body?["warnings"]);
    }
}
