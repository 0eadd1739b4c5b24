using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Institutions;

// Residents (入住老人) as reported periodically to civil affairs: each report stands until the next.
public record OccupancyReport(int Residents, DateOnly EffectiveOn, string Source);

public record InstitutionOccupancyReported(Guid InstitutionId, int Residents, DateOnly EffectiveOn, string Source) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public OccupancyReport Report => new(Residents, EffectiveOn, Source);

    public string Describe() => $"{Residents} residents from {EffectiveOn:yyyy-MM-dd} ({Source})";
}

public record ReportOccupancy(int? Residents, DateOnly? EffectiveOn, string? Source)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Date("effectiveOn", EffectiveOn).Require("source", Source, 300);
        if (Residents is not (>= 0 and <= 100_000)) v.Add("residents", L.T("must be a whole number from 0 to 100,000"));
        return v.Answer();
    }

    public ProblemDetails Check(Institution institution) =>
        institution.RefusesChangeOn(EffectiveOn!.Value) is { } refusal ? Problems.Conflict(refusal) : WolverineContinue.NoProblems;

    public object[] Decide(Institution institution) => [new InstitutionOccupancyReported(institution.Id, Residents!.Value, EffectiveOn!.Value, Source!.Trim())];
}

public static class ReportOccupancyEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Institution institution) => AccessSubject.Institution(institution).Decided(Department.CivilAffairs);

    public static ProblemDetails Validate(ReportOccupancy command) => command.Validate();

    public static ProblemDetails Before(ReportOccupancy command, Institution institution, HttpContext http) =>
        Concurrency.CheckIfMatch(http, institution.Version).Then(() => command.Check(institution));

    [WolverinePost("/api/institutions/{id}/occupancy"), Tags("Institutions")]
    public static (CommandAccepted, Events) Post(ReportOccupancy command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Institution institution) =>
        Decided.Accept(institution.Id, institution.Version, command.Decide(institution));
}
