using System.Security.Claims;
using CareRegistry.Tests.Infrastructure;
using CareRegistry.WebConsole;
using Microsoft.Extensions.DependencyInjection;

namespace CareRegistry.Tests.Console;

// What the console's forms will rely on: a command sent through RegistryApi runs the API's own chain — access,
// validation, idempotency keys, If-Match — and comes back with the API's status and problem details.
public sealed class RegistryApiTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static ClaimsPrincipal Officer(string jurisdiction) =>
        ConsoleSetup.Principal(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", "form-officer"), new Claim("department", "civil-affairs"), new Claim("role", "officer"), new Claim("jurisdiction", jurisdiction)], "test"))).Principal!;

    private async Task<ApiAnswer> Post(string route, object? values, object body, ClaimsPrincipal user, string? key = null, string? ifMatch = null)
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RegistryApi>()
            .Send("POST", route, values, null, body, idempotencyKey: key, ifMatch: ifMatch, user: user);
    }

    [Fact]
    public async Task A_command_is_decided_by_the_API_s_own_chain()
    {
        var key = Guid.NewGuid().ToString();
        var command = Scenario.CareHome("表单养老院", "530111");
        var first = await Post("/api/institutions", null, command, Officer("5301"), key);
        Assert.Equal(201, first.Status);
        var again = await Post("/api/institutions", null, command, Officer("5301"), key);
        Assert.Equal(201, again.Status);
        Assert.Equal(first.Text, again.Text);
        var id = Guid.Parse(first.Json.Str("id")!);
        Assert.Equal("\"1\"", first.ETag);

        // Outside the officer's jurisdiction: the API's 403, whatever else is wrong.
        var refused = await Post("/api/institutions", null, Scenario.CareHome("渝北养老院", "500112"), Officer("5301"));
        Assert.Equal(403, refused.Status);
        Assert.True(refused.IsProblem);

        // Invalid input: a 400 whose errors name the field, for the form to show beside it.
        var invalid = await Post("/api/institutions", null, Scenario.CareHome("坏代码养老院", "530111", uscc: "123"), Officer("5301"));
        Assert.Equal(400, invalid.Status);
        Assert.Contains("uscc", invalid.Errors.Keys);

        // A stale version: 412, nothing written.
        var stale = await Post("/api/institutions/{id}/beds", new { id }, new CareRegistry.Institutions.ChangeBeds(new DateOnly(2020, 1, 1),
            new CareRegistry.Institutions.BedsInput(ElderlyCare: 10), "x"), Officer("5301"), ifMatch: "7");
        Assert.Equal(412, stale.Status);
    }
}
