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

namespace CareRegistry.Partnerships;

public record TerminatePartnership(DateOnly? EffectiveOn, string? Reason)
{
    public ProblemDetails Validate() => new Validation().Date("effectiveOn", EffectiveOn).Require("reason", Reason, 1000).Answer();

    public ProblemDetails Check(Partnership p) =>
        p.TerminatedOn is { } t ? Problems.Conflict(L.T("the agreement was already terminated on {0:yyyy-MM-dd}", t))
        : EffectiveOn < p.ValidFrom ? Problems.Conflict(L.T("the agreement starts on {0:yyyy-MM-dd}", p.ValidFrom))
        : EffectiveOn > p.LatestValidTo ? Problems.Conflict(L.T("the agreement already expired on {0:yyyy-MM-dd}", p.LatestValidTo))
        : WolverineContinue.NoProblems;
}

public static class TerminatePartnershipEndpoint
{
    [WolverineBefore]
    public static Task<AccessSubject> Concerns(Partnership partnership, IQuerySession session, CancellationToken ct) =>
        PartnershipAccess.ConcernsAsync(partnership, session, ct);

    public static ProblemDetails Validate(TerminatePartnership command) => command.Validate();

    public static ProblemDetails Before(TerminatePartnership command, Partnership partnership, HttpContext http) =>
        Concurrency.CheckIfMatch(http, partnership.Version).Then(() => command.Check(partnership));

    [WolverinePost("/api/partnerships/{id}/termination"), Tags("Partnerships")]
    public static (CommandAccepted, Events) Post(TerminatePartnership command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Partnership partnership) =>
        Decided.Accept(partnership.Id, partnership.Version, [new PartnershipTerminated(partnership.Id, command.EffectiveOn!.Value, command.Reason!.Trim(), partnership.PartyIds)]);
}
