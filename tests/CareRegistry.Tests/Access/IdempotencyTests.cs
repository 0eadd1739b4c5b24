using System.Net;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using Marten;

namespace CareRegistry.Tests.Access;

public class IdempotencyTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private async Task<Answer> Post(string url, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = System.Net.Http.Json.JsonContent.Create(body, options: Json.Options),
        };
        request.Headers.Add("Idempotency-Key", key);
        return await Answer.From(await Client.SendAsync(request));
    }

    private async Task<long> Events()
    {
        await using var session = Fixture.Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }

    [Fact]
    public async Task A_retry_returns_the_first_answer_and_writes_nothing()
    {
        var key = Guid.NewGuid().ToString();
        var command = Scenario.CareHome();
        var first = (await Post("/api/institutions", command, key)).ShouldBe(HttpStatusCode.Created);
        var retry = (await Post("/api/institutions", command, key)).ShouldBe(HttpStatusCode.Created);

        Assert.Equal(first.Text, retry.Text);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Contains("true", retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(1, await Events());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422()
    {
        var key = Guid.NewGuid().ToString();
        await Post("/api/institutions", Scenario.CareHome("甲"), key);
        (await Post("/api/institutions", Scenario.CareHome("乙"), key)).ShouldBeProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, await Events());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_write_once()
    {
        var id = await Client.Register(Scenario.CareHome());
        var key = Guid.NewGuid().ToString();
        var change = new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 9), null);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Post($"/api/institutions/{id}/beds", change, key)));

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, a.Text));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.OK);
        Assert.Equal(2, await Events());
    }

    [Fact]
    public async Task A_key_that_is_not_a_uuid_is_400()
    {
        (await Post("/api/institutions", Scenario.CareHome(), "retry-1")).ShouldBeProblem(HttpStatusCode.BadRequest, "Idempotency-Key");
        Assert.Equal(0, await Events());
    }
}
