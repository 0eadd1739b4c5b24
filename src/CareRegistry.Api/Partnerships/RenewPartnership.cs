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
        p.TerminatedOn is { } t ? Problems.Conflict($"the agreement was terminated on {t:yyyy-MM-dd}")
        : ValidTo <= p.LatestValidTo ? Problems.Conflict($"the new validTo must be after {p.LatestValidTo:yyyy-MM-dd}")
        : EffectiveOn < p.ValidFrom ? Problems.Conflict($"the agreement starts on {p.ValidFrom:yyyy-MM-dd}")
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
