using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Institutions;

// Staff from a date (人员配置): doctors, nurses, care workers (养老护理员) and how many of them hold the vocational
// certificate. A report stands until the next one.
public record StaffReport(int Doctors, int Nurses, int CareWorkers, int CertifiedCareWorkers, DateOnly EffectiveOn, string Source)
{
    // The integrated-pilot rule Xishan quotes (西卫函〔2022〕78号): round-the-clock medical care in a small home needs
    // at least 2 doctors and 2 nurses.
    public const int PilotMinimumDoctors = 2, PilotMinimumNurses = 2;

    public bool MeetsPilotRule => Doctors >= PilotMinimumDoctors && Nurses >= PilotMinimumNurses;
}

public record InstitutionStaffReported(Guid InstitutionId, int Doctors, int Nurses, int CareWorkers, int CertifiedCareWorkers, DateOnly EffectiveOn, string Source)
    : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public StaffReport Report => new(Doctors, Nurses, CareWorkers, CertifiedCareWorkers, EffectiveOn, Source);

    public string Describe() => $"staff from {EffectiveOn:yyyy-MM-dd}: {Doctors} doctors, {Nurses} nurses, {CareWorkers} care workers ({CertifiedCareWorkers} certified) ({Source})";
}

public record ReportStaff(int? Doctors, int? Nurses, int? CareWorkers, int? CertifiedCareWorkers, DateOnly? EffectiveOn, string? Source)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Date("effectiveOn", EffectiveOn).Require("source", Source, 300);
        foreach (var (field, value) in new[] { ("doctors", Doctors), ("nurses", Nurses), ("careWorkers", CareWorkers), ("certifiedCareWorkers", CertifiedCareWorkers) })
            if (value is not (>= 0 and <= 100_000)) v.Add(field, L.T("must be a whole number from 0 to 100,000"));
        if (CertifiedCareWorkers > CareWorkers) v.Add("certifiedCareWorkers", L.T("must not be more than careWorkers"));
        return v.Answer();
    }

    public ProblemDetails Check(Institution institution) =>
        institution.RefusesChangeOn(EffectiveOn!.Value) is { } refusal ? Problems.Conflict(refusal) : WolverineContinue.NoProblems;

    public object[] Decide(Institution institution) =>
        [new InstitutionStaffReported(institution.Id, Doctors!.Value, Nurses!.Value, CareWorkers!.Value, CertifiedCareWorkers!.Value, EffectiveOn!.Value, Source!.Trim())];
}

public static class ReportStaffEndpoint
{
    // Health keeps the staffing of integrated care (医养结合机构信息表) and judges the pilot rule: its officer reports
    // the whole report, care workers included (one department per route, as the access table has it).
    [WolverineBefore]
    public static AccessSubject Concerns(Institution institution) => AccessSubject.Institution(institution).Decided(Department.Health);

    public static ProblemDetails Validate(ReportStaff command) => command.Validate();

    public static ProblemDetails Before(ReportStaff command, Institution institution, HttpContext http) =>
        Concurrency.CheckIfMatch(http, institution.Version).Then(() => command.Check(institution));

    [WolverinePost("/api/institutions/{id}/staff"), Tags("Institutions")]
    public static (CommandAccepted, Events) Post(ReportStaff command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Institution institution) =>
        Decided.Accept(institution.Id, institution.Version, command.Decide(institution));
}
