using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Institutions;

// Ratings with their validity: a care home's grade (养老机构等级评定, levels 1–5, civil affairs) and a hospital's
// grade (医院等级评审, levels 1–3 with class 甲/乙/丙, health). A hospital grade in force replaces the grade given at
// registration for every read; without one, the registration's grade stands.
public enum RatingScheme { CareHomeGrade, HospitalGrade }

public enum HospitalClass { A, B, C }   // 甲, 乙, 丙

public record Rating(RatingScheme Scheme, int Level, HospitalClass? Class, DateOnly EffectiveOn, DateOnly? ValidTo, string Basis)
{
    public bool IsInForceOn(DateOnly day) => EffectiveOn <= day && (ValidTo is null || day <= ValidTo);

    public static Department OwnerOf(RatingScheme scheme) => scheme == RatingScheme.CareHomeGrade ? Department.CivilAffairs : Department.Health;
}

public record InstitutionRated(Guid InstitutionId, RatingScheme Scheme, int Level, HospitalClass? Class, DateOnly EffectiveOn, DateOnly? ValidTo, string Basis)
    : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public Rating Rating => new(Scheme, Level, Class, EffectiveOn, ValidTo, Basis);

    public string Describe() => $"{Json.Wire(Scheme)} {Level}{(Class is { } c ? " " + "甲乙丙"[(int)c] + "等" : "")} from {EffectiveOn:yyyy-MM-dd}"
                                + (ValidTo is { } to ? $" to {to:yyyy-MM-dd}" : "") + $" ({Basis})";
}

public record RecordRating(RatingScheme? Scheme, int? Level, HospitalClass? Class, DateOnly? EffectiveOn, DateOnly? ValidTo, string? Basis)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Defined("scheme", Scheme).Date("effectiveOn", EffectiveOn).Date("validTo", ValidTo, required: false).Require("basis", Basis, 500);
        if (Scheme == RatingScheme.CareHomeGrade && Level is not (>= 1 and <= 5)) v.Add("level", L.T("must be 1 to 5 for a care-home grade"));
        if (Scheme == RatingScheme.HospitalGrade && Level is not (>= 1 and <= 3)) v.Add("level", L.T("must be 1 to 3 for a hospital grade"));
        if (Scheme == RatingScheme.CareHomeGrade && Class is not null) v.Add("class", L.T("applies only to hospital grades"));
        if (ValidTo is { } to && EffectiveOn is { } from && to < from) v.Add("validTo", L.T("must not be before effectiveOn"));
        return v.Answer();
    }

    public ProblemDetails Check(Institution institution) =>
        institution.RefusesChangeOn(EffectiveOn!.Value) is { } refusal ? Problems.Conflict(refusal)
        : (Scheme == RatingScheme.HospitalGrade) != (institution.MedicalSubtype is { } m && RegisterInstitution.Hospitals.Contains(m))
            ? Problems.Conflict(Scheme == RatingScheme.HospitalGrade ? L.T("a hospital grade applies only to hospitals") : L.T("a care-home grade applies only to care institutions"))
        : Scheme == RatingScheme.CareHomeGrade && institution.Kind == InstitutionKind.Medical ? Problems.Conflict(L.T("a care-home grade applies only to care institutions"))
        : WolverineContinue.NoProblems;

    public object[] Decide(Institution institution) =>
        [new InstitutionRated(institution.Id, Scheme!.Value, Level!.Value, Class, EffectiveOn!.Value, ValidTo, Basis!.Trim())];
}

public static class RecordRatingEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(RecordRating command, Institution institution) =>
        AccessSubject.Institution(institution).Decided(command.Scheme is { } s ? Rating.OwnerOf(s) : null);

    public static ProblemDetails Validate(RecordRating command) => command.Validate();

    public static ProblemDetails Before(RecordRating command, Institution institution, HttpContext http) =>
        Concurrency.CheckIfMatch(http, institution.Version).Then(() => command.Check(institution));

    [WolverinePost("/api/institutions/{id}/ratings"), Tags("Institutions")]
    public static (CommandAccepted, Events) Post(RecordRating command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Institution institution) =>
        Decided.Accept(institution.Id, institution.Version, command.Decide(institution));
}
