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
            v.Add("demeritPoints", $"is required for points-changed, from 0 to {RecordFinding.MaxPoints}");
        if (Outcome != DisputeOutcome.PointsChanged && DemeritPoints is not null) v.Add("demeritPoints", "applies only to points-changed");
        return v.Answer();
    }
    public ProblemDetails Check(Finding f) =>
        !f.DisputePending ? Problems.Conflict("no dispute of this finding is pending")
        : DecidedOn < f.DisputedOn ? Problems.Conflict($"the dispute was filed on {f.DisputedOn:yyyy-MM-dd}, after {DecidedOn:yyyy-MM-dd}")
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
