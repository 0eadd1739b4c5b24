using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Permits;

// The institution has corrected its filing.
public record CorrectFiling(DateOnly? EffectiveOn, string? Note) : IPermitCommand
{
    public ProblemDetails Validate() => PermitCommand.Start(EffectiveOn).Optional("note", Note, 1000).Answer();

    public ProblemDetails Check(Permit permit) =>
        PermitCommand.RequireFiling(permit, L.T("correct"))
            .Then(() => PermitCommand.RequireStatus(permit, EffectiveOn!.Value, L.T("correct"), PermitStatus.CorrectionRequested));

    public object Decide(Permit permit) => new FilingCorrected(permit.Id, EffectiveOn!.Value, Note?.Trim(), permit.InstitutionId);
}

public static class CorrectFilingEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Permit permit) => PermitCommand.Concerns(permit);

    public static ProblemDetails Validate(CorrectFiling command) => command.Validate();

    public static ProblemDetails Before(Guid id, CorrectFiling command, Permit permit, HttpContext http) => PermitCommand.Guard(id, command, permit, http);

    [WolverinePost("/api/institutions/{id}/permits/{permitId}/correction"), Tags("Permits")]
    public static (CommandAccepted, Events) Post(CorrectFiling command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Permit permit) =>
        Decided.Accept(permit.Id, permit.Version, [command.Decide(permit)]);
}
