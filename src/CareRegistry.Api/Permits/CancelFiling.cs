using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Permits;

// Post-filing review: the department cancels the filing (撤销备案) with a reason.
public record CancelFiling(DateOnly? EffectiveOn, string? Reason) : IPermitCommand
{
    public ProblemDetails Validate() => PermitCommand.Start(EffectiveOn).Require("reason", Reason, 1000).Answer();

    public ProblemDetails Check(Permit permit) =>
        PermitCommand.RequireFiling(permit, L.T("cancel"))
            .Then(() => PermitCommand.RequireStatus(permit, EffectiveOn!.Value, L.T("cancel"), PermitStatus.Active, PermitStatus.CorrectionRequested));

    public object Decide(Permit permit) => new FilingCancelled(permit.Id, EffectiveOn!.Value, Reason!.Trim(), permit.InstitutionId);
}

public static class CancelFilingEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Permit permit) => PermitCommand.Concerns(permit);

    public static ProblemDetails Validate(CancelFiling command) => command.Validate();

    public static ProblemDetails Before(Guid id, CancelFiling command, Permit permit, HttpContext http) => PermitCommand.Guard(id, command, permit, http);

    [WolverinePost("/api/institutions/{id}/permits/{permitId}/cancellation"), Tags("Permits")]
    public static (CommandAccepted, Events) Post(CancelFiling command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Permit permit) =>
        Decided.Accept(permit.Id, permit.Version, [command.Decide(permit)]);
}
