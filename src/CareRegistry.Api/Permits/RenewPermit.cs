using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Permits;

// Renews a permit in force or lapsed (not a refused, revoked, suspended or cancelled one) until a new expiry.
public record RenewPermit(DateOnly? EffectiveOn, DateOnly? ExpiresOn, string? Reason) : IPermitCommand
{
    public ProblemDetails Validate() => PermitCommand.Start(EffectiveOn).Date("expiresOn", ExpiresOn).Optional("reason", Reason, 1000).Answer();

    public ProblemDetails Check(Permit permit) =>
        PermitCommand.RequireStatus(permit, EffectiveOn!.Value, L.T("renew"), PermitStatus.Active, PermitStatus.CorrectionRequested, PermitStatus.Expired)
            .Then(() => ExpiresOn <= EffectiveOn || ExpiresOn <= permit.PeriodOn(EffectiveOn!.Value)?.ExpiresOn
                ? Problems.Conflict(L.T("the new expiry {0:yyyy-MM-dd} must be after {1:yyyy-MM-dd} and after the current expiry", ExpiresOn, EffectiveOn))
                : WolverineContinue.NoProblems);

    public object Decide(Permit permit) => new PermitRenewed(permit.Id, EffectiveOn!.Value, ExpiresOn!.Value, Reason?.Trim(), permit.InstitutionId);
}

public static class RenewPermitEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Permit permit) => PermitCommand.Concerns(permit);

    public static ProblemDetails Validate(RenewPermit command) => command.Validate();

    public static ProblemDetails Before(Guid id, RenewPermit command, Permit permit, HttpContext http) => PermitCommand.Guard(id, command, permit, http);

    [WolverinePost("/api/institutions/{id}/permits/{permitId}/renewal"), Tags("Permits")]
    public static (CommandAccepted, Events) Post(RenewPermit command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Permit permit) =>
        Decided.Accept(permit.Id, permit.Version, [command.Decide(permit)]);
}
