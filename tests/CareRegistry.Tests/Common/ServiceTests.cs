using System.Net;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Common;

public class ServiceTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task Health_endpoints_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_routes_and_docs_are_served()
    {
        var openapi = (await Client.Get("/openapi/v1.json")).ShouldBe(HttpStatusCode.OK);
        var paths = openapi["paths"].AsObject();
        foreach (var route in new[] { "/api/institutions", "/api/institutions/{id}", "/api/institutions/{id}/beds", "/api/institutions/{id}/history" })
            Assert.True(paths.ContainsKey(route), $"{route} missing from the OpenAPI document");
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/docs/")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_route_is_a_problem_not_an_empty_page()
    {
        var answer = await Client.Get("/api/nothing-here");
        answer.ShouldBeProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_oversized_body_is_refused()
    {
        var huge = "{\"name\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";
        var answer = await Client.PostRaw("/api/institutions", huge);
        Assert.True(answer.Status is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"got {(int)answer.Status}: {answer.Text[..Math.Min(300, answer.Text.Length)]}");
    }
}
