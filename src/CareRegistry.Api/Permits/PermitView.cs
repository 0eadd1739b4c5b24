using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Permits;

public record PermitView(
    Guid Id, Guid InstitutionId, string Type, string Department, string Regime, string? Number, string? Scope, string Status,
    DateOnly SubmittedOn, DateOnly? ExpiresOn, DateOnly? CorrectionDueOn, DateOnly? ConvertedOn, string? ConversionBasis, long Version,
    IReadOnlyList<PermitPeriodView> Periods)
{
    public static PermitView From(Permit p, DateOnly day) => new(
        p.Id, p.InstitutionId, Json.Wire(p.Type), Json.Wire(p.Department), Json.Wire(p.Regime), p.Number, p.Scope,
        p.StatusOn(day) is { } s ? Json.Wire(s) : "not-yet-submitted", p.SubmittedOn, p.PeriodOn(day)?.ExpiresOn,
        p.StatusOn(day) == PermitStatus.CorrectionRequested ? p.CorrectionDueOn : null, p.ConvertedOn, p.ConversionBasis, p.Version,
        p.Periods.Select(x => new PermitPeriodView(x.From, Json.Wire(x.Status), x.ExpiresOn)).ToList());
}

public record PermitPeriodView(DateOnly From, string Status, DateOnly? ExpiresOn);

public static class InstitutionPermits
{
    // The institution's permits as the registry knew them at an instant (default: now). A permit is its own short
    // stream, so "as recorded by" folds each one up to that instant.
    public static async Task<IReadOnlyList<Permit>> LoadAsync(IQuerySession session, Guid institutionId, DateTimeOffset? recordedAsOf, CancellationToken ct)
    {
        var current = await session.Query<Permit>().Where(p => p.InstitutionId == institutionId).ToListAsync(ct);
        return await AsRecorded.AtAsync(session, current, p => p.Id, recordedAsOf, ct);
    }
}

public static class GetPermitEndpoint
{
    [WolverineBefore]
    public static async Task<AccessSubject> Concerns(Guid id, IQuerySession session, CancellationToken ct) =>
        AccessSubject.Institution(await session.LoadAsync<Institutions.Institution>(id, ct));

    [WolverineGet("/api/institutions/{id}/permits/{permitId}"), Tags("Permits")]
    [ProducesResponseType<PermitView>(200)]
    public static async Task<IResult> Get(Guid id, Guid permitId, string? asOf, string? recordedAsOf, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        var permit = recorded is null
            ? await session.LoadAsync<Permit>(permitId, ct)
            : await session.Events.AggregateStreamAsync<Permit>(permitId, timestamp: recorded, token: ct);
        if (permit is null || permit.InstitutionId != id) return Results.Problem(Problems.NotFound(L.T("institution {0} has no permit {1}", id, permitId)));
        http.Response.Headers.ETag = Concurrency.ETag(permit.Version);
        return Results.Json(PermitView.From(permit, day), Json.Options);
    }
}
