using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Attributes;

namespace CareRegistry.Inspections;

public record CloseInspection(DateOnly? ClosedOn, string? Summary)
{
    public ProblemDetails Validate() => new Validation().Date("closedOn", ClosedOn).Require("summary", Summary, 4000).Answer();

    public ProblemDetails Check(Inspection inspection) =>
        inspection.ClosedOn is { } closed ? Problems.Conflict($"inspection {inspection.Id} is already closed since {closed:yyyy-MM-dd}")
        : ClosedOn < inspection.OpenedOn ? Problems.Conflict($"the inspection opened on {inspection.OpenedOn:yyyy-MM-dd}, after {ClosedOn:yyyy-MM-dd}")
        : WolverineContinue.NoProblems;
}

public static class CloseInspectionEndpoint
{
    [WolverineBefore]
    public static Task<AccessSubject> Concerns(Inspection inspection, IQuerySession session, CancellationToken ct) =>
        InspectionAccess.ConcernsAsync(inspection, [], session, ct);

    public static ProblemDetails Validate(CloseInspection command) => command.Validate();

    public static ProblemDetails Before(CloseInspection command, Inspection inspection, HttpContext http) =>
        Concurrency.CheckIfMatch(http, inspection.Version).Then(() => command.Check(inspection));

    [WolverinePost("/api/inspections/{id}/close"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(CloseInspection command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        Decided.Accept(inspection.Id, inspection.Version, [new InspectionClosed(inspection.Id, command.ClosedOn!.Value, command.Summary!.Trim(), inspection.InstitutionIds)]);
}
