using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Permits;

public enum Decision { Granted, Refused }

// Approval only: a pending application is granted (and takes effect) or refused with a reason.
public record DecideApplication(Decision? Decision, DateOnly? DecidedOn, string? Reason, string? Number, DateOnly? ExpiresOn) : IPermitCommand
{
    public DateOnly? EffectiveOn => DecidedOn;

    public ProblemDetails Validate()
    {
        var v = new Validation().Date("decidedOn", DecidedOn).Defined("decision", Decision).Optional("number", Number, 50)
            .Optional("reason", Reason, 1000).Date("expiresOn", ExpiresOn, required: false);
        if (Decision == Permits.Decision.Refused && string.IsNullOrWhiteSpace(Reason)) v.Add("reason", L.T("is required for a refusal"));
        if (ExpiresOn <= DecidedOn) v.Add("expiresOn", L.T("must be after decidedOn"));
        return v.Answer();
    }

    // A regime change converted the application to a filing: from that date there is nothing left to decide.
    public ProblemDetails Check(Permit permit) =>
        permit.ConvertedOn is { } converted && DecidedOn >= converted
            ? Problems.Conflict(L.T("cannot {0} {1}: the application was converted to a filing on {2:yyyy-MM-dd} by the regime change {3}",
                Transition, PermitCommand.Label(permit), converted, permit.ConversionBasis))
            : PermitCommand.RequireStatus(permit, DecidedOn!.Value, Transition, PermitStatus.Pending);

    private Text Transition => Decision == Permits.Decision.Granted ? L.T("grant") : L.T("refuse");

    public object Decide(Permit permit) => Decision == Permits.Decision.Granted
        ? new PermitGranted(permit.Id, DecidedOn!.Value, Number?.Trim(), ExpiresOn, permit.InstitutionId)
        : new PermitRefused(permit.Id, DecidedOn!.Value, Reason!.Trim(), permit.InstitutionId);
}

public static class DecideApplicationEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(Permit permit) => PermitCommand.Concerns(permit);

    public static ProblemDetails Validate(DecideApplication command) => command.Validate();

    public static ProblemDetails Before(Guid id, DecideApplication command, Permit permit, HttpContext http) => PermitCommand.Guard(id, command, permit, http);

    [WolverinePost("/api/institutions/{id}/permits/{permitId}/decision"), Tags("Permits")]
    public static (CommandAccepted, Events) Post(DecideApplication command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Permit permit) =>
        Decided.Accept(permit.Id, permit.Version, [command.Decide(permit)]);
}
