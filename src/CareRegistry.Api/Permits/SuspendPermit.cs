using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Permits;

// Suspends a permit in force; reinstatement lifts it.
public record SuspendPermit(DateOnly? EffectiveOn, string? Reason) : IPermitCommand
{
    public ProblemDetails Validate() => PermitCommand.Start(EffectiveOn).Require("reason", Reason, 1000).Answer();

    public ProblemDetails Check(Permit permit) =>
        PermitCommand.RequireStatus(permit, EffectiveOn!.Value, L.T("suspend"), PermitStatus.Active, PermitStatus.CorrectionRequested);

    public object Decide(Permit permit) => new PermitSuspended(permit.Id, EffectiveOn!.Value, Reason!.Trim(), null, permit.InstitutionId);
}

public static class SuspendPermitEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Permit permit) => PermitCommand.Concerns(permit);

    public static ProblemDetails Validate(SuspendPermit command) => command.Validate();

    public static ProblemDetails Before(Guid id, SuspendPermit command, Permit permit, HttpContext http) => PermitCommand.Guard(id, command, permit, http);

    [WolverinePost("/api/institutions/{id}/permits/{permitId}/suspension"), Tags("Permits")]
    public static (CommandAccepted, Events) Post(SuspendPermit command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Permit permit) =>
        Decided.Accept(permit.Id, permit.Version, [command.Decide(permit)]);
}
