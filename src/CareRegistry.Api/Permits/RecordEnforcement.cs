using CareRegistry.Localization;
using CareRegistry.Common;
using CareRegistry.Access;
using CareRegistry.Institutions;
using Marten;
using JasperFx.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Attributes;

namespace CareRegistry.Permits;

public enum EnforcementAction { Warning, Fine, PermitSuspension, PermitRevocation }

// An enforcement action lands on what it hits: a warning or fine on the institution, a suspension or revocation
// on the permit, changing it exactly as a suspension or revocation by its department would.
public record RecordEnforcement(EnforcementAction? Action, Guid? PermitId, decimal? Amount, string? Basis, DateOnly? EffectiveOn, Guid? FindingId)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Defined("action", Action).Require("basis", Basis, 500).Date("effectiveOn", EffectiveOn);
        var onPermit = Action is EnforcementAction.PermitSuspension or EnforcementAction.PermitRevocation;
        if (onPermit && PermitId is null) v.Add("permitId", L.T("is required for a permit suspension or revocation"));
        if (!onPermit && PermitId is not null) v.Add("permitId", L.T("applies only to a permit suspension or revocation"));
        if (Action == EnforcementAction.Fine && Amount is not > 0) v.Add("amount", L.T("is required for a fine and must be positive"));
        if (Amount is > 100_000_000) v.Add("amount", L.T("must be at most 100,000,000"));
        if (Action != EnforcementAction.Fine && Amount is not null) v.Add("amount", L.T("applies only to a fine"));
        return v.Answer();
    }

    public IPermitCommand ForPermit() => Action == EnforcementAction.PermitSuspension
        ? new SuspendPermit(EffectiveOn, $"enforcement: {Basis}")
        : new RevokePermit(EffectiveOn, $"enforcement: {Basis}");

    public object DecideOnPermit(Permit permit) => ForPermit().Decide(permit) switch
    {
        PermitSuspended s => s with { EnforcementBasis = Basis, FindingId = FindingId },
        PermitRevoked r => r with { EnforcementBasis = Basis, FindingId = FindingId },
        var other => other,
    };

    public object DecideOnInstitution(Institution institution) => Action == EnforcementAction.Fine
        ? new InstitutionFined(institution.Id, EffectiveOn!.Value, Amount!.Value, Basis!.Trim(), FindingId)
        : new InstitutionWarned(institution.Id, EffectiveOn!.Value, Basis!.Trim(), FindingId);
}

// What an enforcement action lands on, locked for the write: the permit it names, else the institution.
public record EnforcementTarget(IEventStream<Institution>? Institution, IEventStream<Permit>? Permit);

public static class RecordEnforcementEndpoint
{
    public static async Task<EnforcementTarget> LoadAsync(Guid id, RecordEnforcement command, IDocumentSession session, CancellationToken ct) =>
        command.PermitId is { } permitId
            ? new EnforcementTarget(null, await session.Events.FetchForExclusiveWriting<Permit>(permitId, ct))
            : new EnforcementTarget(await session.Events.FetchForExclusiveWriting<Institution>(id, ct), null);

    // A suspension or revocation is the permit's department's decision; a warning or fine any department's.
    [WolverineBefore]
    public static AccessSubject Concerns(EnforcementTarget target) =>
        target.Permit?.Aggregate is { } permit ? PermitCommand.Concerns(permit) : AccessSubject.Institution(target.Institution?.Aggregate);

    public static ProblemDetails Validate(RecordEnforcement command) => command.Validate();

    [WolverinePost("/api/institutions/{id}/enforcement"), Tags("Permits")]
    [ProducesResponseType<CommandAccepted>(200)]
    public static async Task<IResult> Post(Guid id, RecordEnforcement command, EnforcementTarget target, IDocumentSession session, HttpContext http, CancellationToken ct)
    {
        // The finding it answers, when named, must be one recorded on this institution.
        if (command.FindingId is { } findingId
            && !(await Inspections.Supervision.LoadAsync(session, id, null, ct)).Any(i => i.Findings.Any(f => f.Id == findingId && f.InstitutionId == id)))
            return Results.Problem(Problems.NotFound(L.T("institution {0} has no finding {1}", id, findingId)));

        if (target.Permit is { } stream)
        {
            if (stream.Aggregate is not { } permit) return Results.Problem(Problems.NotFound(L.T("institution {0} has no permit {1}", id, command.PermitId)));
            var problem = PermitCommand.Guard(id, command.ForPermit(), permit, http);
            if (!ReferenceEquals(problem, WolverineContinue.NoProblems)) return Results.Problem(problem);
            stream.AppendOne(command.DecideOnPermit(permit));
            return Accepted(http, permit.Id, permit.Version + 1);
        }

        var institutionStream = target.Institution!;
        if (institutionStream.Aggregate is not { } institution) return Results.Problem(Problems.NotFound(L.T("no institution {0}", id)));
        var refusal = Concurrency.CheckIfMatch(http, institution.Version)
            .Then(() => institution.RefusesChangeOn(command.EffectiveOn!.Value) is { } r ? Problems.Conflict(r) : WolverineContinue.NoProblems);
        if (!ReferenceEquals(refusal, WolverineContinue.NoProblems)) return Results.Problem(refusal);
        institutionStream.AppendOne(command.DecideOnInstitution(institution));
        return Accepted(http, institution.Id, institution.Version + 1);
    }

    private static IResult Accepted(HttpContext http, Guid id, long version)
    {
        http.Response.Headers.ETag = Concurrency.ETag(version);
        return Results.Json(new CommandAccepted(id, version), Json.Options);
    }
}
