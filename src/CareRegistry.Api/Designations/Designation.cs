using CareRegistry.Localization;
using CareRegistry.Common;

namespace CareRegistry.Designations;

// A programme a jurisdiction or an institution is designated to by a level of government: national and provincial
// integrated-care pilot cities and districts (医养结合试点), demonstration units (医养结合服务示范单位), remote-care
// pilots (医养结合远程协同服务试点, Yubei's 悦来) and smart healthy-ageing demonstrations (智慧健康养老示范).
public enum Programme { IntegratedCarePilot, IntegratedCareDemonstration, RemoteCarePilot, SmartHealthyAgeingDemonstration }

public enum DesignationLevel { National, Provincial, City }

// In force from EffectiveOn to ValidTo inclusive (null: open-ended); the health department owns it.
public record Designation(Programme Programme, DesignationLevel Level, string DesignatedBy, DateOnly EffectiveOn, DateOnly? ValidTo, string Basis)
{
    public bool IsInForceOn(DateOnly day) => EffectiveOn <= day && (ValidTo is null || day <= ValidTo);

    public static readonly Department Owner = Department.Health;
}

public record InstitutionDesignated(Guid InstitutionId, Programme Programme, DesignationLevel Level, string DesignatedBy, DateOnly EffectiveOn,
    DateOnly? ValidTo, string Basis) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public Designation Designation => new(Programme, Level, DesignatedBy, EffectiveOn, ValidTo, Basis);

    public string Describe() => $"designated {Json.Wire(Level)} {Json.Wire(Programme)} by {DesignatedBy} from {EffectiveOn:yyyy-MM-dd}"
                                + (ValidTo is { } to ? $" to {to:yyyy-MM-dd}" : "") + $" ({Basis})";
}

public record JurisdictionDesignated(string Jurisdiction, Programme Programme, DesignationLevel Level, string DesignatedBy, DateOnly EffectiveOn,
    DateOnly? ValidTo, string Basis) : IRegistryEvent
{
    public Designation Designation => new(Programme, Level, DesignatedBy, EffectiveOn, ValidTo, Basis);

    public string Describe() => $"{Jurisdiction} designated {Json.Wire(Level)} {Json.Wire(Programme)} by {DesignatedBy} from {EffectiveOn:yyyy-MM-dd}"
                                + (ValidTo is { } to ? $" to {to:yyyy-MM-dd}" : "") + $" ({Basis})";
}

// The command both routes share: what the designating document says.
public record RecordDesignation(Programme? Programme, DesignationLevel? Level, string? DesignatedBy, DateOnly? EffectiveOn, DateOnly? ValidTo, string? Basis)
{
    public Microsoft.AspNetCore.Mvc.ProblemDetails Validate()
    {
        var v = new Validation().Defined("programme", Programme).Defined("level", Level).Require("designatedBy", DesignatedBy, 200)
            .Date("effectiveOn", EffectiveOn).Date("validTo", ValidTo, required: false).Require("basis", Basis, 500);
        if (ValidTo is { } to && EffectiveOn is { } from && to < from) v.Add("validTo", L.T("must not be before effectiveOn"));
        return v.Answer();
    }

    // Not before the institution existed, nor once it closed.
    public Microsoft.AspNetCore.Mvc.ProblemDetails Check(Institutions.Institution institution) =>
        institution.RefusesChangeOn(EffectiveOn!.Value) is { } refusal ? Problems.Conflict(refusal) : Wolverine.Http.WolverineContinue.NoProblems;

    public object[] Decide(Institutions.Institution institution) =>
        [new InstitutionDesignated(institution.Id, Programme!.Value, Level!.Value, DesignatedBy!.Trim(), EffectiveOn!.Value, ValidTo, Basis!.Trim())];

    public object[] Decide(string jurisdiction) =>
        [new JurisdictionDesignated(jurisdiction, Programme!.Value, Level!.Value, DesignatedBy!.Trim(), EffectiveOn!.Value, ValidTo, Basis!.Trim())];
}
