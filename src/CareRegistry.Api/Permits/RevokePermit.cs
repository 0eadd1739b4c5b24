using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Permits;

// Revokes a permit in force or suspended; it ends for good.
public record RevokePermit(DateOnly? EffectiveOn, string? Reason) : IPermitCommand
{
    public ProblemDetails Validate() => PermitCommand.Start(EffectiveOn).Require("reason", Reason, 1000).Answer();

    public ProblemDetails Check(Permit permit) =>
        PermitCommand.RequireStatus(permit, EffectiveOn!.Value, L.T("revoke"), PermitStatus.Active, PermitStatus.CorrectionRequested, PermitStatus.Suspended);

    public object Decide(Permit permit) => new PermitRevoked(permit.Id, EffectiveOn!.Value, Reason!.Trim(), null, permit.InstitutionId);
}

public static class RevokePermitEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Permit permit) => PermitCommand.Concerns(permit);

    public static ProblemDetails Validate(RevokePermit command) => command.Validate();

    public static ProblemDetails Before(Guid id, RevokePermit command, Permit permit, HttpContext http) => PermitCommand.Guard(id, command, permit, http);

    [WolverinePost("/api/institutions/{id}/permits/{permitId}/revocation"), Tags("Permits")]
    public static (CommandAccepted, Events) Post(RevokePermit command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Permit permit) =>
        Decided.Accept(permit.Id, permit.Version, [command.Decide(permit)]);
}
