using CareRegistry.Localization;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Inspections;

// Rectification and disputes on one finding; they go on after the inspection is closed, to the end.
public interface IFindingCommand
{
    DateOnly? On { get; }

    ProblemDetails Validate();

    ProblemDetails Check(Finding finding);

    object Decide(Inspection inspection, Finding finding);
}

public static class FindingCommand
{
    public static ProblemDetails Guard(IFindingCommand command, Inspection inspection, Guid findingId, HttpContext http)
    {
        if (inspection.Finding(findingId) is not { } finding) return Problems.NotFound(L.T("inspection {0} has no finding {1}", inspection.Id, findingId));
        return Concurrency.CheckIfMatch(http, inspection.Version)
            .Then(() => command.On < finding.FoundOn ? Problems.Conflict(L.T("the finding was recorded on {0:yyyy-MM-dd}, after {1:yyyy-MM-dd}", finding.FoundOn, command.On)) : WolverineContinue.NoProblems)
            .Then(() => finding.OverturnedOn is { } o ? Problems.Conflict(L.T("the finding was overturned on {0:yyyy-MM-dd}", o)) : WolverineContinue.NoProblems)
            .Then(() => command.Check(finding));
    }

    public static (CommandAccepted, Events) Accept(IFindingCommand command, Inspection inspection, Guid findingId) =>
        Decided.Accept(inspection.Id, inspection.Version, [command.Decide(inspection, inspection.Finding(findingId)!)]);
}
