using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Permits;

// Post-filing review (补正): the department asks for a correction by a deadline.
public record RequestFilingCorrection(DateOnly? EffectiveOn, DateOnly? DueOn, string? Reason) : IPermitCommand
{
    public ProblemDetails Validate() => PermitCommand.Start(EffectiveOn).Date("dueOn", DueOn).Require("reason", Reason, 1000).Answer();

    public ProblemDetails Check(Permit permit) =>
        PermitCommand.RequireFiling(permit, L.T("request a correction of"))
            .Then(() => PermitCommand.RequireStatus(permit, EffectiveOn!.Value, L.T("request a correction of"), PermitStatus.Active))
            .Then(() => DueOn <= EffectiveOn ? Problems.Conflict(L.T("dueOn must be after effectiveOn")) : WolverineContinue.NoProblems);

    public object Decide(Permit permit) => new FilingCorrectionRequested(permit.Id, EffectiveOn!.Value, DueOn!.Value, Reason!.Trim(), permit.InstitutionId);
}

public static class RequestFilingCorrectionEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Permit permit) => PermitCommand.Concerns(permit);

    public static ProblemDetails Validate(RequestFilingCorrection command) => command.Validate();

    public static ProblemDetails Before(Guid id, RequestFilingCorrection command, Permit permit, HttpContext http) => PermitCommand.Guard(id, command, permit, http);

    [WolverinePost("/api/institutions/{id}/permits/{permitId}/correction-request"), Tags("Permits")]
    public static (CommandAccepted, Events) Post(RequestFilingCorrection command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Permit permit) =>
        Decided.Accept(permit.Id, permit.Version, [command.Decide(permit)]);
}
