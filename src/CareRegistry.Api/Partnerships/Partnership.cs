using CareRegistry.Common;

namespace CareRegistry.Partnerships;

public enum PartnershipKind { CareMedical, Referral, Consortium }

public enum PartnershipService { HealthGuidance, EmergencyCare, AppointmentBooking, ScheduledVisits, TwoWayReferral, GreenChannel, RemoteConsultation, RehabilitationGuidance }

public record PartnershipSigned(Guid PartnershipId, PartnershipKind Kind, IReadOnlyList<Guid> PartyIds, IReadOnlyList<PartnershipService> Services,
    DateOnly EffectiveOn, DateOnly ValidTo) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => PartyIds;

    public string Describe() => $"{Json.Wire(Kind)} agreement signed until {ValidTo:yyyy-MM-dd}: {string.Join(", ", Services.Select(Json.Wire))}";
}

public record PartnershipRenewed(Guid PartnershipId, DateOnly EffectiveOn, DateOnly ValidTo, IReadOnlyList<Guid>? PartyIds = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [.. PartyIds ?? []];

    public string Describe() => $"agreement renewed until {ValidTo:yyyy-MM-dd}";
}

public record PartnershipTerminated(Guid PartnershipId, DateOnly EffectiveOn, string Reason, IReadOnlyList<Guid>? PartyIds = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [.. PartyIds ?? []];

    public string Describe() => $"agreement terminated: {Reason}";
}

public record ValidityChange(DateOnly On, DateOnly ValidTo);

// 签约合作: active from validFrom until its validity in force then ends, unless terminated earlier.
public record Partnership(Guid Id, PartnershipKind Kind, IReadOnlyList<Guid> PartyIds, IReadOnlyList<PartnershipService> Services,
    DateOnly ValidFrom, IReadOnlyList<ValidityChange> Validity, DateOnly? TerminatedOn, string? TerminationReason, long Version)
{
    // Found by its parties (PartnershipsConfiguration.OfInstitution).
    public static void ConfigureMarten(Marten.Schema.DocumentMapping mapping) =>
        Common.MemberIndex.Add(mapping, PartnershipsConfiguration.PartyIndex, PartnershipsConfiguration.PartyMember);

    // A loop, not a query with lambdas: the standing's fold asks for every change day of every agreement.
    public DateOnly ValidToOn(DateOnly day)
    {
        var validTo = Validity[0].ValidTo;
        for (var k = 0; k < Validity.Count; k++)
            if (Validity[k].On <= day) validTo = Validity[k].ValidTo;
        return validTo;
    }

    public DateOnly LatestValidTo => Validity[^1].ValidTo;

    public string StatusOn(DateOnly day) =>
        day < ValidFrom ? "not-yet-valid"
        : TerminatedOn is { } t && t <= day ? "terminated"
        : day > ValidToOn(day) ? "expired"
        : "active";

    public bool IsActiveOn(DateOnly day) => StatusOn(day) == "active";

    public Guid PartnerOf(Guid institution) => PartyIds[0] == institution ? PartyIds[1] : PartyIds[0];

    public static Partnership? Next(Partnership? state, object @event) => (state, @event) switch
    {
        (_, PartnershipSigned e) => Begin(e),
        ({ } p, PartnershipRenewed e) => p.With(e),
        ({ } p, PartnershipTerminated e) => p.With(e),
        _ => state,
    };

    public static Partnership Begin(PartnershipSigned e) =>
        new(e.PartnershipId, e.Kind, e.PartyIds, e.Services, e.EffectiveOn, [new ValidityChange(e.EffectiveOn, e.ValidTo)], null, null, 0);

    public Partnership With(PartnershipRenewed e) => this with { Validity = [.. Validity.Append(new ValidityChange(e.EffectiveOn, e.ValidTo)).OrderBy(v => v.On)] };

    public Partnership With(PartnershipTerminated e) => this with { TerminatedOn = e.EffectiveOn, TerminationReason = e.Reason };
}
