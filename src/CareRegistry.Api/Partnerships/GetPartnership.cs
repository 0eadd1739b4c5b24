using CareRegistry.Localization;
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
    // The agreement as it stands: access is decided on it, and a read without recordedAsOf answers from it.
    public static Task<Partnership?> LoadAsync(Guid id, IQuerySession session, CancellationToken ct) => session.LoadAsync<Partnership>(id, ct);

    [WolverineBefore]
    public static async Task<AccessSubject> Concerns(Partnership? partnership, IQuerySession session, CancellationToken ct) =>
        partnership is null ? AccessSubject.Nothing : await PartnershipAccess.ConcernsAsync(partnership, session, ct);

    [WolverineGet("/api/partnerships/{id}"), Tags("Partnerships")]
    [ProducesResponseType<PartnershipView>(200)]
    public static async Task<IResult> Get(Guid id, string? asOf, string? recordedAsOf, Partnership? current, IQuerySession session, TimeProvider clock,
        HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        var found = recorded is null
            ? current
            : await session.Events.AggregateStreamAsync<Partnership>(id, timestamp: recorded, token: ct);
        if (found is not { } p) return Results.Problem(Problems.NotFound(L.T("no partnership {0}", id)));
        http.Response.Headers.ETag = Concurrency.ETag(p.Version);
        return Results.Json(PartnershipView.From(p, day), Json.Options);
    }
}
