using CareRegistry.Localization;
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
        inspection.ClosedOn is { } closed ? Problems.Conflict(L.T("inspection {0} is already closed since {1:yyyy-MM-dd}", inspection.Id, closed))
        : ClosedOn < inspection.OpenedOn ? Problems.Conflict(L.T("the inspection opened on {0:yyyy-MM-dd}, after {1:yyyy-MM-dd}", inspection.OpenedOn, ClosedOn))
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
