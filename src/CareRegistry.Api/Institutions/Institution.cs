using CareRegistry.Localization;
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
    long Version,
    IReadOnlyList<Designations.Designation>? Designations = null,
    IReadOnlyList<StaffReport>? Staff = null,
    IReadOnlyList<ServiceChange>? Services = null,
    IReadOnlyList<Rating>? Ratings = null,
    IReadOnlyList<OccupancyReport>? Occupancy = null)
{
    // The latest rating of the scheme in force on a day; the hospital grade (level) every read uses.
    public Rating? RatingOn(RatingScheme scheme, DateOnly day) =>
        (Ratings ?? []).Where(r => r.Scheme == scheme && r.IsInForceOn(day)).OrderBy(r => r.EffectiveOn).LastOrDefault();

    public int? GradeOn(DateOnly day) => RatingOn(RatingScheme.HospitalGrade, day)?.Level ?? Grade;

    public OccupancyReport? OccupancyOn(DateOnly day) => (Occupancy ?? []).Where(o => o.EffectiveOn <= day).OrderBy(o => o.EffectiveOn).LastOrDefault();

    // The services offered on a day: for each, the latest change effective by then says whether.
    public IReadOnlyList<CareService> ServicesOn(DateOnly day) =>
        (Services ?? []).Where(c => c.EffectiveOn <= day).GroupBy(c => c.Service)
        .Where(g => g.OrderBy(c => c.EffectiveOn).Last().Offered).Select(g => g.Key).Order().ToList();

    // The staff report in force on a day: the latest effective by then.
    public StaffReport? StaffOn(DateOnly day) => (Staff ?? []).Where(s => s.EffectiveOn <= day).OrderBy(s => s.EffectiveOn).LastOrDefault();

    // A search for a substring of the Chinese or Latin name or of the USCC is one ILIKE over one expression, served by
    // one pg_trgm index (Marten's mapping has no expression index of its own). The USCC is cast to text so that Weasel
    // reads the index back as the same definition and leaves it in place at start and db-apply.
    public static void ConfigureMarten(Marten.Schema.DocumentMapping mapping)
    {
        mapping.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition(SearchStatistics.Index)
        {
            Method = Weasel.Postgresql.Tables.IndexMethod.gin,
            Columns = [InstitutionText.Searchable("") + " gin_trgm_ops"],
        });
        // The pairs of characters (InstitutionText.Bigrams), for searches of two characters.
        mapping.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition("ix_institution_text_bigram")
        {
            Method = Weasel.Postgresql.Tables.IndexMethod.gin,
            Columns = [InstitutionText.BigramsOf("")],
        });
        // The care map (InstitutionMap.cs): counts by district and kind from the index alone, and the few placed
        // institutions found without reading the others.
        mapping.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition(InstitutionMapEndpoint.CountIndex) { Columns = ["jurisdiction", "kind"] });
        mapping.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition(InstitutionMapEndpoint.PlacedIndex)
        {
            Columns = ["jurisdiction", "kind"],
            Predicate = InstitutionMapEndpoint.Placed,
        });
        // The institution search's ids in order with what its filters read of the row (SearchInstitutions.cs), so a
        // page is found from the index alone.
        mapping.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition("ix_institution_id_place")
        {
            Columns = ["id"],
            IncludeColumns = ["jurisdiction", "kind"],
        });
        // The kind as a column (no index of its own): with its statistics PostgreSQL knows that most of a city's
        // institutions are of a kind, so a kind filter walks the primary key in id order and stops at the page,
        // instead of reading every institution of the jurisdiction out of its JSON and sorting them (a cost that grew
        // with the city). Read through the duplicated column, the JSON is not parsed for each row either.
        mapping.DuplicateField(nameof(Kind), "varchar");
    }

    // Where it is, when known (WGS-84).
    public Coordinates? Location { get; init; }

    public bool IsClosedOn(DateOnly date) => ClosedOn is { } closed && closed <= date;

    // What reads answer as the institution's status on a day (docs/reads.md lists them).
    public string StatusOn(DateOnly date) => date < EstablishedOn ? "not-yet-established" : IsClosedOn(date) ? "closed" : "operating";

    // Why a change effective on this date cannot be recorded, or null when it can.
    public Text? RefusesChangeOn(DateOnly effectiveOn) =>
        effectiveOn < EstablishedOn ? L.T("institution {0} was established on {1:yyyy-MM-dd}, after {2:yyyy-MM-dd}", Uscc, EstablishedOn, effectiveOn)
        : IsClosedOn(effectiveOn) ? L.T("institution {0} is closed since {1:yyyy-MM-dd}", Uscc, ClosedOn)
        : null;

    // The state in force on a day: events effective by then, in effective-date order (recording order breaks ties),
    // so a late entry lands where it belongs in time.
    public static Institution? Replay(IReadOnlyList<JasperFx.Events.IEvent> events, DateOnly asOf) =>
        Audit.Retractions.Standing(events)
            .Where(e => e.Data is not IRegistryEvent dated || dated.EffectiveOn <= asOf || e.Data is InstitutionRegistered)
            .OrderBy(e => e.Data is IRegistryEvent dated ? dated.EffectiveOn : DateOnly.MinValue)
            .ThenBy(e => e.Version)
            .Aggregate((Institution?)null, (state, e) => Next(state, e.Data) is { } next ? next with { Version = e.Version } : state);

    public static Institution? Next(Institution? state, object @event) => (state, @event) switch
    {
        (_, InstitutionRegistered r) => Begin(r),
        ({ } s, InstitutionDetailsChanged d) => s.With(d),
        ({ } s, InstitutionBedsChanged b) => s.With(b),
        ({ } s, InstitutionClosed c) => s.With(c),
        ({ } s, InstitutionOperatorChanged o) => s.With(o),
        ({ } s, InstitutionWarned or InstitutionFined) => s,
        ({ } s, InstitutionRated r) => s with { Ratings = [.. s.Ratings ?? [], r.Rating] },
        ({ } s, InstitutionOccupancyReported o) => s with { Occupancy = [.. s.Occupancy ?? [], o.Report] },
        ({ } s, InstitutionServiceChanged c) => s with { Services = [.. s.Services ?? [], c.Change] },
        ({ } s, InstitutionStaffReported r) => s with { Staff = [.. s.Staff ?? [], r.Report] },
        ({ } s, Designations.InstitutionDesignated d) => s with { Designations = [.. s.Designations ?? [], d.Designation] },
        _ => state,
    };

    public static Institution Begin(InstitutionRegistered e) => new(
        e.InstitutionId, e.Name, e.LatinName, e.Uscc, e.Kind, e.MedicalSubtype, e.Grade, e.Ownership,
        e.Jurisdiction, e.Address, e.Beds, e.Operator, e.PredecessorId, e.EffectiveOn, null, null, 0) { Location = e.Location };

    public Institution With(InstitutionDetailsChanged e) =>
        this with { Name = e.Name, LatinName = e.LatinName, Address = e.Address, Ownership = e.Ownership, Location = e.Location ?? Location };

    public Institution With(InstitutionBedsChanged e) => this with { Beds = e.Beds };

    public Institution With(InstitutionOperatorChanged e) => this with { Operator = e.Operator };

    public Institution With(InstitutionClosed e) => this with { ClosedOn = e.EffectiveOn, ClosureReason = e.Reason };
}
