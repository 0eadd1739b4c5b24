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

public record ReportRectification(DateOnly? ReportedOn, string? Note) : IFindingCommand
{
    public DateOnly? On => ReportedOn;
    public ProblemDetails Validate() => new Validation().Date("reportedOn", ReportedOn).Require("note", Note, 2000).Answer();
    public ProblemDetails Check(Finding f) =>
        f.RectificationDue is null ? Problems.Conflict(L.T("this finding asks for no rectification"))
        : f.RectificationOn(ReportedOn!.Value) is "accepted" ? Problems.Conflict(L.T("its rectification was already accepted"))
        : f.RectificationOn(ReportedOn!.Value) is "reported" ? Problems.Conflict(L.T("a rectification is already reported and awaits verification"))
        : WolverineContinue.NoProblems;
    public object Decide(Inspection i, Finding f) => new RectificationReported(i.Id, f.Id, f.InstitutionId, ReportedOn!.Value, Note!.Trim());
}

public static class ReportRectificationEndpoint
{
    [WolverineBefore]
    public static Task<AccessSubject> Concerns(Inspection inspection, Guid findingId, IQuerySession session, CancellationToken ct) =>
        InspectionAccess.ConcernsAsync(inspection, InspectionAccess.FindingInstitution(inspection, findingId), session, ct);

    public static ProblemDetails Validate(ReportRectification command) => command.Validate();
    public static ProblemDetails Before(ReportRectification command, Guid findingId, Inspection inspection, HttpContext http) => FindingCommand.Guard(command, inspection, findingId, http);

    [WolverinePost("/api/inspections/{id}/findings/{findingId}/rectification"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(ReportRectification command, Guid findingId, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        FindingCommand.Accept(command, inspection, findingId);
}
