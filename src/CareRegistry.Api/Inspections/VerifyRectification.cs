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

public record VerifyRectification(DateOnly? VerifiedOn, VerificationOutcome? Outcome, string? Note) : IFindingCommand
{
    public DateOnly? On => VerifiedOn;
    public ProblemDetails Validate()
    {
        var v = new Validation().Date("verifiedOn", VerifiedOn).Defined("outcome", Outcome).Optional("note", Note, 2000);
        if (Outcome == VerificationOutcome.Rejected && string.IsNullOrWhiteSpace(Note)) v.Add("note", L.T("is required when rejecting"));
        return v.Answer();
    }
    public ProblemDetails Check(Finding f) =>
        f.RectificationOn(VerifiedOn!.Value) is "reported" ? WolverineContinue.NoProblems
        : Problems.Conflict(f.RectificationOn(VerifiedOn!.Value) switch
        {
            "accepted" => L.T("nothing to verify: the rectification is accepted on {0:yyyy-MM-dd}", VerifiedOn),
            "rejected" => L.T("nothing to verify: the rectification is rejected on {0:yyyy-MM-dd}", VerifiedOn),
            "due" => L.T("nothing to verify: the rectification is due on {0:yyyy-MM-dd}", VerifiedOn),
            "overdue" => L.T("nothing to verify: the rectification is overdue on {0:yyyy-MM-dd}", VerifiedOn),
            { } other => L.T("nothing to verify: the rectification is {0} on {1:yyyy-MM-dd}", other, VerifiedOn),
            null => L.T("nothing to verify: the rectification is not reported on {0:yyyy-MM-dd}", VerifiedOn),
        });
    public object Decide(Inspection i, Finding f) => new RectificationVerified(i.Id, f.Id, f.InstitutionId, Outcome!.Value, VerifiedOn!.Value, Note?.Trim());
}

public static class VerifyRectificationEndpoint
{
    [WolverineBefore]
    public static Task<AccessSubject> Concerns(Inspection inspection, Guid findingId, IQuerySession session, CancellationToken ct) =>
        InspectionAccess.ConcernsAsync(inspection, InspectionAccess.FindingInstitution(inspection, findingId), session, ct);

    public static ProblemDetails Validate(VerifyRectification command) => command.Validate();
    public static ProblemDetails Before(VerifyRectification command, Guid findingId, Inspection inspection, HttpContext http) => FindingCommand.Guard(command, inspection, findingId, http);

    [WolverinePost("/api/inspections/{id}/findings/{findingId}/verification"), Tags("Inspections")]
    public static (CommandAccepted, Events) Post(VerifyRectification command, Guid findingId, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Inspection inspection) =>
        FindingCommand.Accept(command, inspection, findingId);
}
