using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Institutions;

public record ChangeBeds(DateOnly? EffectiveOn, BedsInput? Beds, string? Reason)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Date("effectiveOn", EffectiveOn).Optional("reason", Reason, 1000);
        BedsInput.Check(v, "beds", Beds);
        return v.IsValid ? WolverineContinue.NoProblems : v.ToProblem();
    }

    public ProblemDetails Check(Institution institution) =>
        institution.RefusesChangeOn(EffectiveOn!.Value) is { } refusal ? Problems.Conflict(refusal) : WolverineContinue.NoProblems;

    public object[] Decide(Institution institution) =>
        [new InstitutionBedsChanged(institution.Id, Beds!.ToBeds(), EffectiveOn!.Value, Reason)];
}

public static class ChangeBedsEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Institution institution) => AccessSubject.Institution(institution);

    public static ProblemDetails Validate(ChangeBeds command) => command.Validate();

    public static ProblemDetails Before(ChangeBeds command, Institution institution, HttpContext http) =>
        Concurrency.CheckIfMatch(http, institution.Version).Then(() => command.Check(institution));

    [WolverinePost("/api/institutions/{id}/beds"), Tags("Institutions")]
    public static (CommandAccepted, Events) Post(ChangeBeds command,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Institution institution) =>
        Decided.Accept(institution.Id, institution.Version, command.Decide(institution));
}
