using System.Diagnostics;
using System.Net;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Resilience;

public static class Load
{
    // One of each command before any fault, so the service has generated its code and opened its pool. Wolverine
    // compiles an endpoint at its first call, which on a busy machine can take longer than the load's 30 s bound.
    public static async Task WarmUpAsync(ServiceProcess service)
    {
        using var patient = ServiceProcess.ClientFor(service.Port, TimeSpan.FromSeconds(120));
        var home = await patient.Register(Scenario.CareHome("预热养老院", "530102"));
        (await patient.Submit(home, PermitType.ElderlyCare, new DateOnly(2016, 1, 1))).ShouldBe(HttpStatusCode.Accepted);
        (await patient.Get($"/api/institutions/{home}")).ShouldBe(HttpStatusCode.OK);
        (await patient.Get("/api/audit/projections")).ShouldBe(HttpStatusCode.OK);
    }

    public static async Task UntilAcknowledgedAsync(CommandLoad load, int count, TimeSpan bound)
    {
        var watch = Stopwatch.StartNew();
        while (load.Commands.Count(c => c.Acknowledged is not null) < count)
        {
            if (watch.Elapsed > bound) Assert.Fail($"fewer than {count} commands acknowledged within {bound.TotalSeconds} s: {load.Figures()}");
            await Task.Delay(100);
        }
    }
}
