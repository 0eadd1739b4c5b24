using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Institutions;

// Hands the institution to another operator (公建民营, e.g. chosen by tender); the institution and its permits stay.
public record ChangeOperator(string? Operator, DateOnly? EffectiveOn, string? Basis)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Require("operator", Operator, 200).Date("effectiveOn", EffectiveOn).Require("basis", Basis, 300);
        return v.IsValid ? WolverineContinue.NoProblems : v.ToProblem();
    }

    public ProblemDetails Check(Institution institution) =>
        institution.RefusesChangeOn(EffectiveOn!.Value) is { } refusal ? Problems.Conflict(refusal)
        : string.Equals(institution.Operator, Operator!.Trim(), StringComparison.Ordinal) ? Problems.Conflict(L.T("{0} already operates institution {1}", Operator, institution.Uscc))
        : WolverineContinue.NoProblems;

    public object[] Decide(Institution institution) => [new InstitutionOperatorChanged(institution.Id, Operator!.Trim(), EffectiveOn!.Value, Basis!.Trim())];
}

public static class ChangeOperatorEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Institution institution) => AccessSubject.Institution(institution);

    public static ProblemDetails Validate(ChangeOperator command) => command.Validate();

    public static ProblemDetails Before(ChangeOperator command, Institution institution, HttpContext http) =>
        Concurrency.CheckIfMatch(http, institution.Version).Then(() => command.Check(institution));

    [WolverinePost("/api/institutions/{id}/operator"), Tags("Institutions")]
    public static (CommandAccepted, Events) Post(ChangeOperator command,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Institution institution) =>
        Decided.Accept(institution.Id, institution.Version, command.Decide(institution));
}
