using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Inspections;

// Rectification and disputes on one finding; they go on after the inspection is closed, to the end.
public interface IFindingCommand
{
    DateOnly? On { get; }

    ProblemDetails Validate();

    ProblemDetails Check(Finding finding);

    object Decide(Inspection inspection, Finding finding);
}

public static class FindingCommand
{
    public static ProblemDetails Guard(IFindingCommand command, Inspection inspection, Guid findingId, HttpContext http)
    {
        if (inspection.Finding(findingId) is not { } finding) return Problems.NotFound($"inspection {inspection.Id} has no finding {findingId}");
        return Concurrency.CheckIfMatch(http, inspection.Version)
            .Then(() => command.On < finding.FoundOn ? Problems.Conflict($"the finding was recorded on {finding.FoundOn:yyyy-MM-dd}, after {command.On:yyyy-MM-dd}") : WolverineContinue.NoProblems)
            .Then(() => finding.OverturnedOn is { } o ? Problems.Conflict($"the finding was overturned on {o:yyyy-MM-dd}") : WolverineContinue.NoProblems)
            .Then(() => command.Check(finding));
    }

    public static (CommandAccepted, Events) Accept(IFindingCommand command, Inspection inspection, Guid findingId) =>
        Decided.Accept(inspection.Id, inspection.Version, [command.Decide(inspection, inspection.Finding(findingId)!)]);
}

public record ReportRectification(DateOnly? ReportedOn, string? Note) : IFindingCommand
{
    public DateOnly? On => ReportedOn;
    public ProblemDetails Validate() => new Validation().Date("reportedOn", ReportedOn).Require("note", Note, 2000).Answer();
    public ProblemDetails Check(Finding f) =>
        f.RectificationDue is null ? Problems.Conflict("this finding asks for no rectification")
        : f.RectificationOn(ReportedOn!.Value) is "accepted" ? Problems.Conflict("its rectification was already accepted")
        : f.RectificationOn(ReportedOn!.Value) is "reported" ? Problems.Conflict("a rectification is already reported and awaits verification")
        : WolverineContinue.NoProblems;
    public object Decide(Inspection i, Finding f) => new RectificationReported(i.Id, f.Id, f.InstitutionId, ReportedOn!.Value, Note!.Trim());
}

public record VerifyRectification(DateOnly? VerifiedOn, VerificationOutcome? Outcome, string? Note) : IFindingCommand
{
    public DateOnly? On => VerifiedOn;
    public ProblemDetails Validate()
    {
        var v = new Validation().Date("verifiedOn", VerifiedOn).Defined("outcome", Outcome).Optional("note", Note, 2000);
        if (Outcome == VerificationOutcome.Rejected && string.IsNullOrWhiteSpace(Note)) v.Add("note", "is required when rejecting");
        return v.Answer();
    }
    public ProblemDetails Check(Finding f) =>
        f.RectificationOn(VerifiedOn!.Value) is "reported" ? WolverineContinue.NoProblems
        : Problems.Conflict($"nothing to verify: the rectification is {f.RectificationOn(VerifiedOn!.Value) ?? "not reported"} on {VerifiedOn:yyyy-MM-dd}");
    public object Decide(Inspection i, Finding f) => new RectificationVerified(i.Id, f.Id, f.InstitutionId, Outcome!.Value, VerifiedOn!.Value, Note?.Trim());
}

public record DisputeFinding(DateOnly? FiledOn, string? Grounds) : IFindingCommand
{
    public DateOnly? On => FiledOn;
    public ProblemDetails Validate() => new Validation().Date("filedOn", FiledOn).Require("grounds", Grounds, 4000).Answer();
    public ProblemDetails Check(Finding f) => f.DisputePending ? Problems.Conflict("a dispute of this finding is already pending") : WolverineContinue.NoProblems;
    public object Decide(Inspection i, Finding f) => new FindingDisputed(i.Id, f.Id, f.InstitutionId, FiledOn!.Value, Grounds!.Trim());
}

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

public static class ReportRectificationEndpoint
{
    public static ProblemDetails Validate(ReportRectification command) => command.Validate();
    public static ProblemDetails Before(ReportRectification command, Guid findingId, Inspection inspection, HttpContext http) => FindingCommand.Guard(command, inspection, findingId, http);

    [WolverinePost("/api/inspections/{id}/findings/{findingId}/rectification"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(ReportRectification command, Guid findingId, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        FindingCommand.Accept(command, inspection, findingId);
}

public static class VerifyRectificationEndpoint
{
    public static ProblemDetails Validate(VerifyRectification command) => command.Validate();
    public static ProblemDetails Before(VerifyRectification command, Guid findingId, Inspection inspection, HttpContext http) => FindingCommand.Guard(command, inspection, findingId, http);

    [WolverinePost("/api/inspections/{id}/findings/{findingId}/verification"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(VerifyRectification command, Guid findingId, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        FindingCommand.Accept(command, inspection, findingId);
}

public static class DisputeFindingEndpoint
{
    public static ProblemDetails Validate(DisputeFinding command) => command.Validate();
    public static ProblemDetails Before(DisputeFinding command, Guid findingId, Inspection inspection, HttpContext http) => FindingCommand.Guard(command, inspection, findingId, http);

    [WolverinePost("/api/inspections/{id}/findings/{findingId}/dispute"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(DisputeFinding command, Guid findingId, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        FindingCommand.Accept(command, inspection, findingId);
}

public static class DecideDisputeEndpoint
{
    public static ProblemDetails Validate(DecideDispute command) => command.Validate();
    public static ProblemDetails Before(DecideDispute command, Guid findingId, Inspection inspection, HttpContext http) => FindingCommand.Guard(command, inspection, findingId, http);

    [WolverinePost("/api/inspections/{id}/findings/{findingId}/dispute/decision"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(DecideDispute command, Guid findingId, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        FindingCommand.Accept(command, inspection, findingId);
}
