using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Institutions;

// Services an institution offers from a date until it stops (服务项目): day care (日间照料), dementia care (失智照护),
// hospice (安宁疗护), rehabilitation (康复), home visits (上门巡诊) and home sickbeds (家庭病床).
public enum CareService { DayCare, DementiaCare, Hospice, Rehabilitation, HomeVisits, HomeSickbeds }

public static class CareServices
{
    // Care services are civil affairs' to record, medical ones health's.
    public static Department OwnerOf(CareService service) =>
        service is CareService.DayCare or CareService.DementiaCare ? Department.CivilAffairs : Department.Health;
}

public record ServiceChange(CareService Service, bool Offered, DateOnly EffectiveOn, string Basis);

public record InstitutionServiceChanged(Guid InstitutionId, CareService Service, bool Offered, DateOnly EffectiveOn, string Basis) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public ServiceChange Change => new(Service, Offered, EffectiveOn, Basis);

    public string Describe() => $"{Json.Wire(Service)} {(Offered ? "offered" : "no longer offered")} from {EffectiveOn:yyyy-MM-dd} ({Basis})";
}

public record RecordService(CareService? Service, bool? Offered, DateOnly? EffectiveOn, string? Basis)
{
    public ProblemDetails Validate() =>
        new Validation().Defined("service", Service).Date("effectiveOn", EffectiveOn).Require("basis", Basis, 500)
            .Check("offered", Offered is null ? L.T("is required: true from the date, false when it stops") : null).Answer();

    public ProblemDetails Check(Institution institution) =>
        institution.RefusesChangeOn(EffectiveOn!.Value) is { } refusal ? Problems.Conflict(refusal)
        : Offered == false && !institution.ServicesOn(EffectiveOn.Value).Contains(Service!.Value)
            ? Problems.Conflict(L.T("{0} is not offered on {1}: nothing to stop", Json.Wire(Service.Value), EffectiveOn!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))
            : WolverineContinue.NoProblems;

    public object[] Decide(Institution institution) =>
        [new InstitutionServiceChanged(institution.Id, Service!.Value, Offered!.Value, EffectiveOn!.Value, Basis!.Trim())];
}

public static class RecordServiceEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(RecordService command, Institution institution) =>
        AccessSubject.Institution(institution).Decided(command.Service is { } s ? CareServices.OwnerOf(s) : null);

    public static ProblemDetails Validate(RecordService command) => command.Validate();

    public static ProblemDetails Before(RecordService command, Institution institution, HttpContext http) =>
        Concurrency.CheckIfMatch(http, institution.Version).Then(() => command.Check(institution));

    [WolverinePost("/api/institutions/{id}/services"), Tags("Institutions")]
    public static (CommandAccepted, Events) Post(RecordService command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Institution institution) =>
        Decided.Accept(institution.Id, institution.Version, command.Decide(institution));
}
