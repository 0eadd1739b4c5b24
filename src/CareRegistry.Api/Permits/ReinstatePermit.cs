using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Permits;

// Lifts a suspension.
public record ReinstatePermit(DateOnly? EffectiveOn, string? Reason) : IPermitCommand
{
    public ProblemDetails Validate() => PermitCommand.Start(EffectiveOn).Optional("reason", Reason, 1000).Answer();

    public ProblemDetails Check(Permit permit) =>
        PermitCommand.RequireStatus(permit, EffectiveOn!.Value, L.T("reinstate"), PermitStatus.Suspended);

    public object Decide(Permit permit) => new PermitReinstated(permit.Id, EffectiveOn!.Value, Reason?.Trim(), permit.InstitutionId);
}

public static class ReinstatePermitEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Permit permit) => PermitCommand.Concerns(permit);

    public static ProblemDetails Validate(ReinstatePermit command) => command.Validate();

    public static ProblemDetails Before(Guid id, ReinstatePermit command, Permit permit, HttpContext http) => PermitCommand.Guard(id, command, permit, http);

    [WolverinePost("/api/institutions/{id}/permits/{permitId}/reinstatement"), Tags("Permits")]
    public static (CommandAccepted, Events) Post(ReinstatePermit command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Permit permit) =>
        Decided.Accept(permit.Id, permit.Version, [command.Decide(permit)]);
}
