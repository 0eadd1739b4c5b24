using System.Diagnostics;
using System.Net;
using System.Text;
using CareRegistry.Common;
using CareRegistry.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace CareRegistry.Tests.Resilience;

// The service's limits as a client meets them over real HTTP (Kestrel, a real connection pool): a body over 1 MB is
// a 413 problem, a page is at most 500, a database command that runs past its timeout and a request that finds the
// connection pool exhausted are 503 with Retry-After — quickly, never a hang — and the service is fine afterwards.
[Collection(ResilienceCollection.Name), Trait("Category", "Resilience")]
public sealed class LimitsTests(ITestOutputHelper output)
{
    // Answered within this, or it is a hang: the pool timeout and command timeout (2 s each) plus Marten's retries.
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(20);

    [ResilienceFact]
    public async Task Oversized_bodies_limits_timeouts_and_an_exhausted_pool_are_answered_as_problems_not_hangs()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        await using var service = await ServiceProcess.StartAsync(cluster.ConnectionString("Maximum Pool Size=2;Timeout=2;Command Timeout=2"));
        await Load.WarmUpAsync(service);
        var home = await service.Client.Register(Scenario.CareHome("限额测试养老院", "530102"));

        // 413: Content-Length over the limit, and the same body chunked (no length given up front); with and without a key.
        // Just over the 1 MiB limit and after "Expect: 100-continue", as a careful client sends a large body: otherwise the
        // client could still be writing when the service answered and closed, and fail with a broken pipe before the 413.
        var huge = "{\"name\":\"" + new string('长', 350_000) + "\"}";
        Assert.True(Encoding.UTF8.GetByteCount(huge) > 1024 * 1024);
        foreach (var chunked in new[] { false, true })
        foreach (var withKey in new[] { false, true })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/institutions")
            {
                Content = chunked ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge))) : new StringContent(huge, Encoding.UTF8),
            };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.ExpectContinue = true;
            if (withKey) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            (await Answer.From(await service.Client.SendAsync(request))).ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge);
        }

        // Pages: 500 is the most a read returns.
        (await service.Client.Get("/api/institutions?limit=500")).ShouldBe(HttpStatusCode.OK);
        (await service.Client.Get("/api/institutions?limit=501")).ShouldBeProblem(HttpStatusCode.BadRequest, "limit");
        (await service.Client.Get("/api/audit/events?limit=501")).ShouldBeProblem(HttpStatusCode.BadRequest, "limit");

        // Command timeout: a lock held elsewhere keeps the institution table busy past the 2 s command timeout.
        await using (var blocker = await cluster.OpenAsync())
        {
            await using var hold = await blocker.BeginTransactionAsync();
            await new NpgsqlCommand("lock table mt_doc_institution in access exclusive mode", blocker, hold).ExecuteNonQueryAsync();
            ShouldBeUnavailable(await Timed(() => service.Client.Get($"/api/institutions/{home}")));
            ShouldBeUnavailable(await Timed(() => service.Client.Post("/api/institutions", Scenario.CareHome("超时养老院", "530102"))));

            // Pool exhaustion: 24 reads at once on a pool of 2, the first two stuck behind the lock.
            var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Timed(() => service.Client.Get($"/api/institutions/{home}"))));
            Assert.All(answers, ShouldBeUnavailable);
            output.WriteLine($"behind a lock, pool of 2: 24 concurrent reads answered 503 in at most {answers.Max(a => a.Took).TotalSeconds:0.0} s");
        }
        (await service.Client.Get($"/api/institutions/{home}")).ShouldBe(HttpStatusCode.OK);

        // Without any lock: 40 commands at once on a pool of 2 — each is done or told to come back, none hangs.
        var burst = await Task.WhenAll(Enumerable.Range(0, 40).Select(n =>
            Timed(() => service.Client.Post("/api/institutions", Scenario.CareHome($"并发养老院{n}", "530102")))));
        Assert.All(burst, a =>
        {
            if (a.Answer.Status != HttpStatusCode.Created) ShouldBeUnavailable(a);
        });
        output.WriteLine($"40 concurrent registrations on a pool of 2: {burst.Count(a => a.Answer.Status == HttpStatusCode.Created)} created, " +
                         $"{burst.Count(a => a.Answer.Status == HttpStatusCode.ServiceUnavailable)} answered 503, slowest {burst.Max(a => a.Took).TotalSeconds:0.0} s");
        await service.WaitUntilAsync("/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(10));
        await service.Client.Register(Scenario.CareHome("恢复养老院", "530102"));
    }

    private static async Task<(Answer Answer, TimeSpan Took)> Timed(Func<Task<Answer>> send)
    {
        var watch = Stopwatch.StartNew();
        var answer = await send();
        return (answer, watch.Elapsed);
    }

    private static void ShouldBeUnavailable((Answer Answer, TimeSpan Took) a)
    {
        a.Answer.ShouldBeProblem(HttpStatusCode.ServiceUnavailable);
        Assert.True(a.Answer.Headers.RetryAfter is not null, $"503 without Retry-After: {a.Answer.Text}");
        Assert.True(a.Took < AnswerBound, $"answered after {a.Took.TotalSeconds:0.0} s, more than {AnswerBound.TotalSeconds} s: {a.Answer.Text}");
    }
}
