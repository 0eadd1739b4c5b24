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

public record DisputeFinding(DateOnly? FiledOn, string? Grounds) : IFindingCommand
{
    public DateOnly? On => FiledOn;
    public ProblemDetails Validate() => new Validation().Date("filedOn", FiledOn).Require("grounds", Grounds, 4000).Answer();
    public ProblemDetails Check(Finding f) => f.DisputePending ? Problems.Conflict(L.T("a dispute of this finding is already pending")) : WolverineContinue.NoProblems;
    public object Decide(Inspection i, Finding f) => new FindingDisputed(i.Id, f.Id, f.InstitutionId, FiledOn!.Value, Grounds!.Trim());
}

public static class DisputeFindingEndpoint
{
    [WolverineBefore]
    public static Task<AccessSubject> Concerns(Inspection inspection, Guid findingId, IQuerySession session, CancellationToken ct) =>
        InspectionAccess.ConcernsAsync(inspection, InspectionAccess.FindingInstitution(inspection, findingId), session, ct);

    public static ProblemDetails Validate(DisputeFinding command) => command.Validate();
    public static ProblemDetails Before(DisputeFinding command, Guid findingId, Inspection inspection, HttpContext http) => FindingCommand.Guard(command, inspection, findingId, http);

    [WolverinePost("/api/inspections/{id}/findings/{findingId}/dispute"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(DisputeFinding command, Guid findingId, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        FindingCommand.Accept(command, inspection, findingId);
}
