using System.Net;
using CareRegistry.Institutions;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;
using Marten;

namespace CareRegistry.Tests.Reliability;

// Many clients on one institution and one permit at once, with and without If-Match: every acknowledged command is
// in the log exactly once, every refused one left nothing, versions have no gaps, and the read models equal a replay.
public class ConcurrentWriterTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task Acknowledged_writes_are_all_there_once_and_refused_ones_left_nothing()
    {
        var home = await Client.Register(Scenario.CareHome());
        var permit = (await Client.Submit(home, PermitType.MedicalPractice, new DateOnly(2016, 1, 1))).Id;
        await Client.Grant(home, permit, new DateOnly(2016, 3, 1), new DateOnly(2017, 1, 1));

        var writes = Enumerable.Range(1, 24).Select(n => Task.Run(async () =>
        {
            var withIfMatch = n % 2 == 0;
            if (n % 3 == 0)
            {
                // Renewals race on the permit: each must extend past the expiry it read.
                var current = await Client.Get($"/api/institutions/{home}/permits/{permit}");
                var renewal = new RenewPermit(new DateOnly(2016, 6, 1), new DateOnly(2017 + n, 1, 1), $"renewal {n}");
                return (Stream: permit, Answer: await Client.Post($"/api/institutions/{home}/permits/{permit}/renewal", renewal,
                    withIfMatch ? current.Headers.ETag?.Tag : null));
            }
            var view = await Client.Get($"/api/institutions/{home}");
            var beds = new ChangeBeds(new DateOnly(2020, 1, 1 + n), new BedsInput(ElderlyCare: n), $"change {n}");
            return (Stream: home, Answer: await Client.Post($"/api/institutions/{home}/beds", beds, withIfMatch ? view.Headers.ETag?.Tag : null));
        })).ToList();
        var results = await Task.WhenAll(writes);

        Assert.All(results, r => Assert.True(r.Answer.Status is HttpStatusCode.OK or HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict,
            $"{(int)r.Answer.Status}: {r.Answer.Text}"));
        await using var session = Fixture.Store.QuerySession();
        foreach (var stream in new[] { home, permit })
        {
            var events = await session.Events.FetchStreamAsync(stream);
            var acknowledged = results.Where(r => r.Stream == stream && r.Answer.Status == HttpStatusCode.OK).ToList();
            var initial = stream == home ? 1 : 2;
            Assert.Equal(initial + acknowledged.Count, events.Count);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
            // Each acknowledged answer names the version its event holds, and no two share one.
            Assert.Equal(acknowledged.Count, acknowledged.Select(a => a.Answer.Version).Distinct().Count());
            Assert.All(acknowledged, a => Assert.Contains(events, e => e.Version == a.Answer.Version));
        }
        Assert.Equal("ok", (await Client.Get("/api/audit/replay"))["status"].GetValue<string>());
        Assert.Equal("ok", (await Client.Get("/api/audit/verify"))["status"].GetValue<string>());
    }
}
