using CareRegistry.Common;

namespace CareRegistry.Institutions;

// The institution as its own stream knows it: identity, place, beds, whether it has closed. It decides the
// institution commands and is kept inline as a document so that searches and the USCC uniqueness rule see each
// write at once.
public record Institution(
    Guid Id,
    string Name,
    string? LatinName,
    string Uscc,
    InstitutionKind Kind,
    MedicalSubtype? MedicalSubtype,
    int? Grade,
    Ownership Ownership,
    string Jurisdiction,
    string Address,
    Beds Beds,
    string? Operator,
    Guid? PredecessorId,
    DateOnly EstablishedOn,
    DateOnly? ClosedOn,
    string? ClosureReason,
    long Version)
{
    public bool IsClosedOn(DateOnly date) => ClosedOn is { } closed && closed <= date;

    // Why a change effective on this date cannot be recorded, or null when it can.
    public string? RefusesChangeOn(DateOnly effectiveOn) =>
        effectiveOn < EstablishedOn ? $"institution {Uscc} was established on {EstablishedOn:yyyy-MM-dd}, after {effectiveOn:yyyy-MM-dd}"
        : IsClosedOn(effectiveOn) ? $"institution {Uscc} is closed since {ClosedOn:yyyy-MM-dd}"
        : null;

    // The state in force on a day: events effective by then, in effective-date order (recording order breaks ties),
    // so a late entry lands where it belongs in time.
    public static Institution? Replay(IEnumerable<JasperFx.Events.IEvent> events, DateOnly asOf) =>
        events
            .Where(e => e.Data is not IRegistryEvent dated || dated.EffectiveOn <= asOf || e.Data is InstitutionRegistered)
            .OrderBy(e => e.Data is IRegistryEvent dated ? dated.EffectiveOn : DateOnly.MinValue)
            .ThenBy(e => e.Version)
            .Aggregate((Institution?)null, (state, e) => Evolve(state, e.Data) is { } next ? next with { Version = e.Version } : state);

    private static Institution? Evolve(Institution? state, object @event) => (state, @event) switch
    {
        (_, InstitutionRegistered r) => Create(r),
        ({ } s, InstitutionDetailsChanged d) => s.Apply(d),
        ({ } s, InstitutionBedsChanged b) => s.Apply(b),
        ({ } s, InstitutionClosed c) => s.Apply(c),
        ({ } s, InstitutionOperatorChanged o) => s.Apply(o),
        ({ } s, InstitutionWarned or InstitutionFined) => s,
        _ => null,
    };

    public static Institution Create(InstitutionRegistered e) => new(
        e.InstitutionId, e.Name, e.LatinName, e.Uscc, e.Kind, e.MedicalSubtype, e.Grade, e.Ownership,
        e.Jurisdiction, e.Address, e.Beds, e.Operator, e.PredecessorId, e.EffectiveOn, null, null, 0);

    public Institution Apply(InstitutionDetailsChanged e) =>
        this with { Name = e.Name, LatinName = e.LatinName, Address = e.Address, Ownership = e.Ownership };

    public Institution Apply(InstitutionBedsChanged e) => this with { Beds = e.Beds };

    public Institution Apply(InstitutionOperatorChanged e) => this with { Operator = e.Operator };

    public Institution Apply(InstitutionClosed e) => this with { ClosedOn = e.EffectiveOn, ClosureReason = e.Reason };
}
