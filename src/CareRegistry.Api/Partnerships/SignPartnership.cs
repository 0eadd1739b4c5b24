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

public record SignPartnership(PartnershipKind? Kind, Guid[]? PartyIds, PartnershipService[]? Services, DateOnly? ValidFrom, DateOnly? ValidTo)
{
    public ProblemDetails Validate()
    {
        var v = new Validation().Defined("kind", Kind).Date("validFrom", ValidFrom).Date("validTo", ValidTo);
        if (PartyIds is not { Length: 2 } || PartyIds[0] == PartyIds[1]) v.Add("partyIds", L.T("must name two different institutions"));
        if (Services is not { Length: > 0 } || Services.Distinct().Count() != Services.Length) v.Add("services", L.T("must name one or more different services"));
        if (ValidTo <= ValidFrom) v.Add("validTo", L.T("must be after validFrom"));
        return v.Answer();
    }

    // A care-medical agreement joins a care institution and a medical one; referral and consortium join two medical ones.
    public ProblemDetails Check(IReadOnlyList<Institution> parties)
    {
        static bool IsCare(Institution i) => i.Kind is not InstitutionKind.Medical;
        var fits = Kind == PartnershipKind.CareMedical
            ? parties.Count(IsCare) == 1 && parties.Count(p => p.Kind == InstitutionKind.Medical) == 1
            : parties.All(p => p.Kind == InstitutionKind.Medical);
        if (!fits) return Problems.Conflict(Kind == PartnershipKind.CareMedical
            ? L.T("a care-medical agreement needs one elderly-care and one medical party")
            : L.T("a {0} agreement needs two medical parties", Json.Wire(Kind!.Value)));
        return parties.FirstOrDefault(p => p.IsClosedOn(ValidFrom!.Value)) is { } closed
            ? Problems.Conflict(L.T("institution {0} is closed since {1:yyyy-MM-dd}", closed.Uscc, closed.ClosedOn))
            : WolverineContinue.NoProblems;
    }
}

public static class SignPartnershipEndpoint
{
    // The parties it names (those that exist).
    public static async Task<IReadOnlyList<Institution>> LoadAsync(SignPartnership command, IQuerySession session, CancellationToken ct) =>
        command.PartyIds is { Length: > 0 and <= 10 } ids ? await session.LoadManyAsync<Institution>(ct, ids.Distinct()) : [];

    // Any department's officer signs it, inside the jurisdiction of at least one party.
    [WolverineBefore]
    public static AccessSubject Concerns(IReadOnlyList<Institution> parties) => AccessSubject.Nothing.WithinAny(parties, L.T("party of this agreement"));

    public static ProblemDetails Validate(SignPartnership command, IReadOnlyList<Institution> parties) =>
        command.Validate().Then(() => CheckParties(command, parties));

    public static ProblemDetails CheckParties(SignPartnership command, IReadOnlyList<Institution> parties)
    {
        if (command.PartyIds!.FirstOrDefault(id => parties.All(p => p.Id != id)) is var missing && missing != Guid.Empty)
            return Problems.NotFound(L.T("no institution {0}", missing));
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
