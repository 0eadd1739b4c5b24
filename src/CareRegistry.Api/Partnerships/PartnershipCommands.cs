using CareRegistry.Common;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Partnerships;

public record SignPartnership(PartnershipKind? Kind, Guid[]? PartyIds, PartnershipService[]? Services, DateOnly? ValidFrom, DateOnly? ValidTo)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Defined("kind", Kind).Date("validFrom", ValidFrom).Date("validTo", ValidTo);
        if (PartyIds is not { Length: 2 } || PartyIds[0] == PartyIds[1]) v.Add("partyIds", "must name two different institutions");
        if (Services is not { Length: > 0 } || Services.Distinct().Count() != Services.Length) v.Add("services", "must name one or more different services");
        if (ValidTo <= ValidFrom) v.Add("validTo", "must be after validFrom");
        return v.Answer();
    }

    // A care-medical agreement joins a care institution and a medical one; referral and consortium join two medical ones.
    public ProblemDetails Check(IReadOnlyList<Institution> parties)
    {
        static bool IsCare(Institution i) => i.Kind is InstitutionKind.ElderlyCare or InstitutionKind.CommunityCareCentre;
        var fits = Kind == PartnershipKind.CareMedical
            ? parties.Count(IsCare) == 1 && parties.Count(p => p.Kind == InstitutionKind.Medical) == 1
            : parties.All(p => p.Kind == InstitutionKind.Medical);
        if (!fits) return Problems.Conflict(Kind == PartnershipKind.CareMedical
            ? "a care-medical agreement needs one elderly-care and one medical party"
            : $"a {Json.Wire(Kind!.Value)} agreement needs two medical parties");
        return parties.FirstOrDefault(p => p.IsClosedOn(ValidFrom!.Value)) is { } closed
            ? Problems.Conflict($"institution {closed.Uscc} is closed since {closed.ClosedOn:yyyy-MM-dd}")
            : WolverineContinue.NoProblems;
    }
}

public static class SignPartnershipEndpoint
{
    public static ProblemDetails Validate(SignPartnership command) => command.Validate();

    public static async Task<ProblemDetails> ValidateAsync(SignPartnership command, IQuerySession session, CancellationToken ct)
    {
        var parties = await session.LoadManyAsync<Institution>(ct, command.PartyIds!);
        if (command.PartyIds!.FirstOrDefault(id => parties.All(p => p.Id != id)) is var missing && missing != Guid.Empty)
            return Problems.NotFound($"no institution {missing}");
        return command.Check(parties);
    }

    [WolverinePost("/api/partnerships"), Tags("Partnerships")]
    public static (StreamCreated, IStartStream) Post(SignPartnership command)
    {
        var id = Guid.CreateVersion7();
        var signed = new PartnershipSigned(id, command.Kind!.Value, command.PartyIds!, command.Services!, command.ValidFrom!.Value, command.ValidTo!.Value);
        return (new StreamCreated(id, 1, $"/api/partnerships/{id}"), MartenOps.StartStream<Partnership>(id, signed));
    }
}

public record RenewPartnership(DateOnly? EffectiveOn, DateOnly? ValidTo)
{
    public ProblemDetails Validate() => new Validation().Date("effectiveOn", EffectiveOn).Date("validTo", ValidTo).Answer();

    public ProblemDetails Check(Partnership p) =>
        p.TerminatedOn is { } t ? Problems.Conflict($"the agreement was terminated on {t:yyyy-MM-dd}")
        : ValidTo <= p.LatestValidTo ? Problems.Conflict($"the new validTo must be after {p.LatestValidTo:yyyy-MM-dd}")
        : EffectiveOn < p.ValidFrom ? Problems.Conflict($"the agreement starts on {p.ValidFrom:yyyy-MM-dd}")
        : WolverineContinue.NoProblems;
}

public record TerminatePartnership(DateOnly? EffectiveOn, string? Reason)
{
    public ProblemDetails Validate() => new Validation().Date("effectiveOn", EffectiveOn).Require("reason", Reason, 1000).Answer();

    public ProblemDetails Check(Partnership p) =>
        p.TerminatedOn is { } t ? Problems.Conflict($"the agreement was already terminated on {t:yyyy-MM-dd}")
        : EffectiveOn < p.ValidFrom ? Problems.Conflict($"the agreement starts on {p.ValidFrom:yyyy-MM-dd}")
        : EffectiveOn > p.LatestValidTo ? Problems.Conflict($"the agreement already expired on {p.LatestValidTo:yyyy-MM-dd}")
        : WolverineContinue.NoProblems;
}

public static class RenewPartnershipEndpoint
{
    public static ProblemDetails Validate(RenewPartnership command) => command.Validate();

    public static ProblemDetails Before(RenewPartnership command, Partnership partnership, HttpContext http) =>
        Concurrency.CheckIfMatch(http, partnership.Version).Then(() => command.Check(partnership));

    [WolverinePost("/api/partnerships/{id}/renewal"), Tags("Partnerships")]
    public static (CommandAccepted, Events) Post(RenewPartnership command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Partnership partnership) =>
        Decided.Accept(partnership.Id, partnership.Version, [new PartnershipRenewed(partnership.Id, command.EffectiveOn!.Value, command.ValidTo!.Value, partnership.PartyIds)]);
}

public static class TerminatePartnershipEndpoint
{
    public static ProblemDetails Validate(TerminatePartnership command) => command.Validate();

    public static ProblemDetails Before(TerminatePartnership command, Partnership partnership, HttpContext http) =>
        Concurrency.CheckIfMatch(http, partnership.Version).Then(() => command.Check(partnership));

    [WolverinePost("/api/partnerships/{id}/termination"), Tags("Partnerships")]
    public static (CommandAccepted, Events) Post(TerminatePartnership command, [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Partnership partnership) =>
        Decided.Accept(partnership.Id, partnership.Version, [new PartnershipTerminated(partnership.Id, command.EffectiveOn!.Value, command.Reason!.Trim(), partnership.PartyIds)]);
}
