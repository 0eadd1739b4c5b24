using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Attributes;

namespace CareRegistry.Inspections;

public record DecideDispute(DisputeOutcome? Outcome, int? DemeritPoints, string? Basis, DateOnly? DecidedOn) : IFindingCommand
{
    public DateOnly? On => DecidedOn;
    public ProblemDetails Validate()
    {
        var v = new Validation().Defined("outcome", Outcome).Require("basis", Basis, 1000).Date("decidedOn", DecidedOn);
        if (Outcome == DisputeOutcome.PointsChanged && DemeritPoints is not (>= 0 and <= RecordFinding.MaxPoints))
            v.Add("demeritPoints", L.T("is required for points-changed, from 0 to {0}", RecordFinding.MaxPoints));
        if (Outcome != DisputeOutcome.PointsChanged && DemeritPoints is not null) v.Add("demeritPoints", L.T("applies only to points-changed"));
        return v.Answer();
    }
    public ProblemDetails Check(Finding f) =>
        !f.DisputePending ? Problems.Conflict(L.T("no dispute of this finding is pending"))
        : DecidedOn < f.DisputedOn ? Problems.Conflict(L.T("the dispute was filed on {0:yyyy-MM-dd}, after {1:yyyy-MM-dd}", f.DisputedOn, DecidedOn))
        : WolverineContinue.NoProblems;
    public object Decide(Inspection i, Finding f) => new DisputeDecided(i.Id, f.Id, f.InstitutionId, Outcome!.Value, DemeritPoints, Basis!.Trim(), DecidedOn!.Value);
}

public static class DecideDisputeEndpoint
{
    [WolverineBefore]
    public static Task<AccessSubject> Concerns(Inspection inspection, Guid findingId, IQuerySession session, CancellationToken ct) =>
        InspectionAccess.ConcernsAsync(inspection, InspectionAccess.FindingInstitution(inspection, findingId), session, ct);

    public static ProblemDetails Validate(DecideDispute command) => command.Validate();
    public static ProblemDetails Before(DecideDispute command, Guid findingId, Inspection inspection, HttpContext http) => FindingCommand.Guard(command, inspection, findingId, http);

    [WolverinePost("/api/inspections/{id}/findings/{findingId}/dispute/decision"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(DecideDispute command, Guid findingId, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        FindingCommand.Accept(command, inspection, findingId);
}
