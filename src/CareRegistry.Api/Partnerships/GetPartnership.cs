using CareRegistry.Access;
using Wolverine.Attributes;
using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Partnerships;

public static class GetPartnershipEndpoint
{
    [WolverineBefore]
    public static async Task<AccessSubject> Concerns(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<Partnership>(id, ct) is { } partnership ? await PartnershipAccess.ConcernsAsync(partnership, session, ct) : AccessSubject.Nothing;

    [WolverineGet("/api/partnerships/{id}"), Tags("Partnerships")]
    [ProducesResponseType<PartnershipView>(200)]
    public static async Task<IResult> Get(Guid id, string? asOf, string? recordedAsOf, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        var found = recorded is null
            ? await session.LoadAsync<Partnership>(id, ct)
            : await session.Events.AggregateStreamAsync<Partnership>(id, timestamp: recorded, token: ct);
        if (found is not { } p) return Results.Problem(Problems.NotFound($"no partnership {id}"));
        http.Response.Headers.ETag = Concurrency.ETag(p.Version);
        return Results.Json(PartnershipView.From(p, day), Json.Options);
    }
}
