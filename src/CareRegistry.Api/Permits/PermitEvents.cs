using CareRegistry.Common;

namespace CareRegistry.Permits;

// An application under the approval regime: no legal effect until granted.
public record PermitApplicationSubmitted(
    Guid PermitId, Guid InstitutionId, string Jurisdiction, PermitType Type, Department Department, string? Number,
    string? Scope, DateOnly EffectiveOn, DateOnly? ExpiresOn, string? RegimeBasis) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"{Json.Wire(Type)} application submitted to {Json.Wire(Department)} (approval{Basis(RegimeBasis)})";

    internal static string Basis(string? basis) => basis is null ? "" : $", per {basis}";
}

// A filing: in force from submission; the department reviews afterwards.
public record PermitFiled(
    Guid PermitId, Guid InstitutionId, string Jurisdiction, PermitType Type, Department Department, string? Number,
    string? Scope, DateOnly EffectiveOn, DateOnly? ExpiresOn, string? RegimeBasis) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"{Json.Wire(Type)} filed with {Json.Wire(Department)}{PermitApplicationSubmitted.Basis(RegimeBasis)}";
}

public record PermitGranted(Guid PermitId, DateOnly EffectiveOn, string? Number, DateOnly? ExpiresOn, Guid InstitutionId = default) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"granted{(Number is null ? "" : $" as {Number}")}{(ExpiresOn is null ? "" : $", expires {ExpiresOn:yyyy-MM-dd}")}";
}

public record PermitRefused(Guid PermitId, DateOnly EffectiveOn, string Reason, Guid InstitutionId = default) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"refused: {Reason}";
}

public record PermitRenewed(Guid PermitId, DateOnly EffectiveOn, DateOnly ExpiresOn, string? Reason, Guid InstitutionId = default) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"renewed until {ExpiresOn:yyyy-MM-dd}";
}

public record PermitSuspended(Guid PermitId, DateOnly EffectiveOn, string Reason, string? EnforcementBasis, Guid InstitutionId = default, Guid? FindingId = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"suspended: {Reason}";
}

public record PermitReinstated(Guid PermitId, DateOnly EffectiveOn, string? Reason, Guid InstitutionId = default) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => "reinstated" + (Reason is null ? "" : $": {Reason}");
}

public record PermitRevoked(Guid PermitId, DateOnly EffectiveOn, string Reason, string? EnforcementBasis, Guid InstitutionId = default, Guid? FindingId = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"revoked: {Reason}";
}

public record FilingCorrectionRequested(Guid PermitId, DateOnly EffectiveOn, DateOnly DueOn, string Reason, Guid InstitutionId = default) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"correction requested by {DueOn:yyyy-MM-dd}: {Reason}";
}

public record FilingCorrected(Guid PermitId, DateOnly EffectiveOn, string? Note, Guid InstitutionId = default) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => "filing corrected" + (Note is null ? "" : $": {Note}");
}

public record FilingCancelled(Guid PermitId, DateOnly EffectiveOn, string Reason, Guid InstitutionId = default) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"filing cancelled: {Reason}";
}

// A regime change that converts pending applications: the application becomes a filing, in force from the change.
public record PendingApplicationConvertedToFiling(Guid PermitId, DateOnly EffectiveOn, string Basis, Guid InstitutionId = default) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"pending application converted to a filing, per {Basis}";
}
