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

public record RenewPartnership(DateOnly? EffectiveOn, DateOnly? ValidTo)
{
    public ProblemDetails Validate() => new Validation().Date("effectiveOn", EffectiveOn).Date("validTo", ValidTo).Answer();

    public ProblemDetails Check(Partnership p) =>
        p.TerminatedOn is { } t ? Problems.Conflict(L.T("the agreement was terminated on {0:yyyy-MM-dd}", t))
        : ValidTo <= p.LatestValidTo ? Problems.Conflict(L.T("the new validTo must be after {0:yyyy-MM-dd}", p.LatestValidTo))
        : EffectiveOn < p.ValidFrom ? Problems.Conflict(L.T("the agreement starts on {0:yyyy-MM-dd}", p.ValidFrom))
        : WolverineContinue.NoProblems;
}

public static class RenewPartnershipEndpoint
{
    [WolverineBefore]
    public static Task<AccessSubject> Concerns(Partnership partnership, IQuerySession session, CancellationToken ct) =>
        PartnershipAccess.ConcernsAsync(partnership, session, ct);

    public static ProblemDetails Validate(RenewPartnership command) => command.Validate();

    public static ProblemDetails Before(RenewPartnership command, Partnership partnership, HttpContext http) =>
        Concurrency.CheckIfMatch(http, partnership.Version).Then(() => command.Check(partnership));

    [WolverinePost("/api/partnerships/{id}/renewal"), Tags("Partnerships")]
    public static (CommandAccepted, Events) Post(RenewPartnership command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Partnership partnership) =>
        Decided.Accept(partnership.Id, partnership.Version, [new PartnershipRenewed(partnership.Id, command.EffectiveOn!.Value, command.ValidTo!.Value, partnership.PartyIds)]);
}
