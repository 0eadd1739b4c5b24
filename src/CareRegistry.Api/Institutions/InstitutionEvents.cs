using CareRegistry.Common;

namespace CareRegistry.Institutions;

public record Beds(int ElderlyCare, int Medical, int Nursing, int Rehabilitation, int Hospice)
{
    public static readonly Beds None = new(0, 0, 0, 0, 0);
    public int Total => ElderlyCare + Medical + Nursing + Rehabilitation + Hospice;
}

public record InstitutionRegistered(
    Guid InstitutionId,
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
    DateOnly EffectiveOn,
    // Added later: registrations recorded before carry none, and read back without one.
    Coordinates? Location = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"registered {Name} ({Json.Wire(Kind)}) in {Jurisdiction}, USCC {Uscc}" + (Location is { } l ? $", at {l}" : "");
}

public record InstitutionDetailsChanged(
    Guid InstitutionId,
    string Name,
    string? LatinName,
    string Address,
    Ownership Ownership,
    DateOnly EffectiveOn,
    string? Reason,
    // The location in force from EffectiveOn; none (as in every change recorded before locations) leaves it as it was.
    Coordinates? Location = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"details changed: name {Name}, address {Address}, ownership {Json.Wire(Ownership)}" + (Location is { } l ? $", location {l}" : "");
}

public record InstitutionBedsChanged(Guid InstitutionId, Beds Beds, DateOnly EffectiveOn, string? Reason) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"beds changed to {Beds.Total} (elderly-care {Beds.ElderlyCare}, medical {Beds.Medical}, nursing {Beds.Nursing}, rehabilitation {Beds.Rehabilitation}, hospice {Beds.Hospice})";
}

public record InstitutionClosed(Guid InstitutionId, DateOnly EffectiveOn, string Reason) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"closed: {Reason}";
}

// 公建民营: the operator changes, the institution and its permits stay.
public record InstitutionOperatorChanged(Guid InstitutionId, string Operator, DateOnly EffectiveOn, string Basis) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"operator changed to {Operator} ({Basis})";
}

public record InstitutionWarned(Guid InstitutionId, DateOnly EffectiveOn, string Basis, Guid? FindingId = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"warning issued ({Basis})";
}

public record InstitutionFined(Guid InstitutionId, DateOnly EffectiveOn, decimal Amount, string Basis, Guid? FindingId = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"fined ¥{Amount:0.##} ({Basis})";
}
