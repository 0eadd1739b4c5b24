using System.Diagnostics;
using System.Text.Json;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Permits;
using JasperFx.CommandLine;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Audit;

public record ReadModelDifference(string Model, Guid Id, string Stored, string Replayed);

public record ReplayReport(string Status, int ModelsChecked, double Seconds, IReadOnlyList<ReadModelDifference> Differences);

public record RebuildReport(IReadOnlyList<string> Projections, double Seconds);

// Replays every stream from its events and compares the result with the read model the registry serves: an
// auditor's check that the read side says what the events say (expected: no difference).
public static class ReplayCheck
{
    public static async Task<ReplayReport> CompareAsync(IDocumentStore store, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var session = store.QuerySession();
        var differences = new List<ReadModelDifference>();
        var count = await Compare<Institution>(session, i => i.Id, differences, ct)
                    + await Compare<Permit>(session, p => p.Id, differences, ct)
                    + await Compare<Jurisdiction>(session, j => j.Id, differences, ct)
                    + await Compare<Inspections.Inspection>(session, i => i.Id, differences, ct)
                    + await Compare<Partnerships.Partnership>(session, p => p.Id, differences, ct);
        return new ReplayReport(differences.Count == 0 ? "ok" : "different", count, watch.Elapsed.TotalSeconds, differences);
    }

    private static async Task<int> Compare<T>(IQuerySession session, Func<T, Guid> id, List<ReadModelDifference> differences, CancellationToken ct) where T : class
    {
        var stored = await session.Query<T>().ToListAsync(ct);
        foreach (var doc in stored)
        {
            var replayed = await session.Events.AggregateStreamAsync<T>(id(doc), token: ct);
            var (a, b) = (JsonSerializer.Serialize(doc, Json.Options), JsonSerializer.Serialize(replayed, Json.Options));
            if (a != b) differences.Add(new ReadModelDifference(typeof(T).Name, id(doc), a, b));
        }
        return stored.Count;
    }

    // Marten's rebuild of every projection from the event log: every one the store knows, inline and async, so a
    // projection added later is rebuilt too.
    public static async Task<RebuildReport> RebuildAsync(IDocumentStore store, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var names = ((StoreOptions)store.Options).Projections.All.Select(p => p.Name).ToList();
        using var daemon = await store.BuildProjectionDaemonAsync();
        foreach (var name in names) await daemon.RebuildProjectionAsync(name, ct);
        return new RebuildReport(names, watch.Elapsed.TotalSeconds);
    }
}

public static class ReplayEndpoints
{
    [WolverineGet("/api/audit/replay"), Tags("Audit")]
    public static Task<ReplayReport> Compare(IDocumentStore store, CancellationToken ct) => ReplayCheck.CompareAsync(store, ct);

    [WolverinePost("/api/admin/projections/rebuild"), Tags("Audit")]
    public static Task<RebuildReport> Rebuild(IDocumentStore store, CancellationToken ct) => ReplayCheck.RebuildAsync(store, ct);
}

[Description("Replays every stream and reports any difference from the read models", Name = "audit-replay")]
public class AuditReplayCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var report = await ReplayCheck.CompareAsync(host.Services.GetRequiredService<IDocumentStore>(), CancellationToken.None);
        Console.WriteLine($"{report.Status}: {report.ModelsChecked} read models replayed in {report.Seconds:0.00} s");
        foreach (var d in report.Differences) Console.WriteLine($"  {d.Model} {d.Id}:\n    stored   {d.Stored}\n    replayed {d.Replayed}");
        return report.Status == "ok";
    }
}
