using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Institutions;

// 停业/注销: the institution stops operating from a date; its record and history stay.
public record CloseInstitution(DateOnly? EffectiveOn, string? Reason)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Date("effectiveOn", EffectiveOn).Require("reason", Reason, 1000);
        return v.IsValid ? WolverineContinue.NoProblems : v.ToProblem();
    }

    public ProblemDetails Check(Institution institution) =>
        institution.ClosedOn is { } closed ? Problems.Conflict(L.T("institution {0} is already closed since {1:yyyy-MM-dd}", institution.Uscc, closed))
        : institution.RefusesChangeOn(EffectiveOn!.Value) is { } refusal ? Problems.Conflict(refusal)
        : WolverineContinue.NoProblems;

    public object[] Decide(Institution institution) => [new InstitutionClosed(institution.Id, EffectiveOn!.Value, Reason!.Trim())];
}

public static class CloseInstitutionEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Institution institution) => AccessSubject.Institution(institution);

    public static ProblemDetails Validate(CloseInstitution command) => command.Validate();

    public static ProblemDetails Before(CloseInstitution command, Institution institution, HttpContext http) =>
        Concurrency.CheckIfMatch(http, institution.Version).Then(() => command.Check(institution));

    [WolverinePost("/api/institutions/{id}/closure"), Tags("Institutions")]
    public static (CommandAccepted, Events) Post(CloseInstitution command,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Institution institution) =>
        Decided.Accept(institution.Id, institution.Version, command.Decide(institution));
}
