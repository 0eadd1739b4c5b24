using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Institutions;

// Name, Latin name, address, ownership or location; what is left out stays as it is.
public record ChangeInstitutionDetails(string? Name, string? LatinName, string? Address, Ownership? Ownership, DateOnly? EffectiveOn, string? Reason,
    LocationInput? Location = null)
{
    public ProblemDetails Validate()
    {
        var v = new Validation()
            .Optional("name", Name, 200)
            .Optional("latinName", LatinName, 200)
            .Optional("address", Address, 500)
            .Optional("reason", Reason, 1000)
            .Date("effectiveOn", EffectiveOn);
        if (Ownership is { } o && !Enum.IsDefined(o)) v.Add("ownership", L.T("must be one of {0}", Json.WireValues<Ownership>()));
        LocationInput.Check(v, "location", Location);
        if (Name is null && LatinName is null && Address is null && Ownership is null && Location is null)
            v.Add("name", L.T("give at least one of name, latinName, address, ownership, location"));
        return v.IsValid ? WolverineContinue.NoProblems : v.ToProblem();
    }

    public ProblemDetails Check(Institution institution) =>
        institution.RefusesChangeOn(EffectiveOn!.Value) is { } refusal ? Problems.Conflict(refusal) : WolverineContinue.NoProblems;

    public object[] Decide(Institution institution) =>
    [
        new InstitutionDetailsChanged(institution.Id, Name?.Trim() ?? institution.Name, LatinName?.Trim() ?? institution.LatinName,
            Address?.Trim() ?? institution.Address, Ownership ?? institution.Ownership, EffectiveOn!.Value, Reason,
            Location?.ToCoordinates() ?? institution.Location),
    ];
}

public static class ChangeInstitutionDetailsEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Institution institution) => AccessSubject.Institution(institution);

    public static ProblemDetails Validate(ChangeInstitutionDetails command) => command.Validate();

    public static ProblemDetails Before(ChangeInstitutionDetails command, Institution institution, HttpContext http) =>
        Concurrency.CheckIfMatch(http, institution.Version).Then(() => command.Check(institution));

    [WolverinePost("/api/institutions/{id}/details"), Tags("Institutions")]
    public static (CommandAccepted, Events) Post(ChangeInstitutionDetails command,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Institution institution) =>
        Decided.Accept(institution.Id, institution.Version, command.Decide(institution));
}
