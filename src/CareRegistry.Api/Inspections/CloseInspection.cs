using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

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
    public static ProblemDetails Validate(CloseInspection command) => command.Validate();

    public static ProblemDetails Before(CloseInspection command, Inspection inspection, HttpContext http) =>
        Concurrency.CheckIfMatch(http, inspection.Version).Then(() => command.Check(inspection));

    [WolverinePost("/api/inspections/{id}/close"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(CloseInspection command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        Decided.Accept(inspection.Id, inspection.Version, [new InspectionClosed(inspection.Id, command.ClosedOn!.Value, command.Summary!.Trim(), inspection.InstitutionIds)]);
}
