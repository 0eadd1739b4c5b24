using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Permits;

// What every command on an existing permit shares: an effective date, a pure check of the permit's state on that
// date (409 when the transition does not apply), and a pure decision returning the event.
public interface IPermitCommand
{
    DateOnly? EffectiveOn { get; }

    ProblemDetails Validate();

    ProblemDetails Check(Permit permit);

    object Decide(Permit permit);
}

public static class PermitCommand
{
    public static Validation Start(DateOnly? effectiveOn) => new Validation().Date("effectiveOn", effectiveOn);

    // The permit must belong to the institution in the route, and If-Match must name its version.
    public static ProblemDetails Guard(Guid institutionId, IPermitCommand command, Permit permit, HttpContext http) =>
        permit.InstitutionId != institutionId
            ? Problems.NotFound($"institution {institutionId} has no permit {permit.Id}")
            : Concurrency.CheckIfMatch(http, permit.Version)
                .Then(() => command.EffectiveOn < permit.SubmittedOn
                    ? Problems.Conflict($"{Label(permit)} was submitted on {permit.SubmittedOn:yyyy-MM-dd}, after {command.EffectiveOn:yyyy-MM-dd}")
                    : WolverineContinue.NoProblems)
                .Then(() => command.Check(permit));

    // Refuses unless the permit's status on the effective date is one of the allowed ones.
    public static ProblemDetails RequireStatus(Permit permit, DateOnly on, string transition, params PermitStatus[] allowed)
    {
        var status = permit.StatusOn(on);
        return status is { } s && allowed.Contains(s)
            ? WolverineContinue.NoProblems
            : Problems.Conflict($"cannot {transition} {Label(permit)}: it is {(status is { } x ? Json.Wire(x) : "not yet submitted")} on {on:yyyy-MM-dd}");
    }

    public static ProblemDetails RequireFiling(Permit permit, string transition) =>
        permit.Regime == Regime.Filing
            ? WolverineContinue.NoProblems
            : Problems.Conflict($"cannot {transition} {Label(permit)}: it was obtained by approval, not by filing");

    // A permit's lifecycle is its department's decision, within the jurisdiction of its institution.
    public static AccessSubject Concerns(Permit permit) =>
        AccessSubject.Division(permit.Jurisdiction, $"the institution of {Label(permit)}, in").Decided(permit.Department);

    public static string Label(Permit permit) =>
        $"{Json.Wire(permit.Type)} {(permit.Regime == Regime.Filing ? "filing" : "permit")} {permit.Number ?? permit.Id.ToString()}";
}
