using CareRegistry.Common;

namespace CareRegistry.Inspections;

public enum InspectionKind { Routine, SpotCheck, Joint, FollowUp, AnnualReview }

public enum FindingCategory { PractitionerQualification, MedicalServiceConduct, DrugUse, Staffing, Facilities, FireSafety, Hygiene, ElderAbuseRisk, Other }

public enum Severity { Minor, Major, Critical }

public enum VerificationOutcome { Accepted, Rejected }

public enum DisputeOutcome { Upheld, Overturned, PointsChanged }

public record InspectionOpened(
    Guid InspectionId, InspectionKind Kind, IReadOnlyList<Guid> InstitutionIds, IReadOnlyList<Department> Departments,
    IReadOnlyList<string> Inspectors, DateOnly EffectiveOn) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => InstitutionIds;

    public string Describe() => $"{Json.Wire(Kind)} inspection opened by {string.Join(", ", Departments.Select(Json.Wire))} ({string.Join(", ", Inspectors)})";
}

// Events about one finding carry the institution it concerns, so that institution's timeline can follow them. The
// department is the recording inspector's: the finding, and the alerts it raises, are that department's (null on
// events recorded before it was carried; see Inspection.Read).
public record FindingRecorded(
    Guid InspectionId, Guid FindingId, Guid InstitutionId, FindingCategory Category, Severity Severity, int DemeritPoints,
    string Description, DateOnly? RectificationDue, DateOnly EffectiveOn, Department? Department = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"{Json.Wire(Severity)} finding ({Json.Wire(Category)}, {DemeritPoints} points): {Description}"
                                + (RectificationDue is { } due ? $"; rectify by {due:yyyy-MM-dd}" : "");
}

public record InspectionClosed(Guid InspectionId, DateOnly EffectiveOn, string Summary, IReadOnlyList<Guid>? InstitutionIds = null) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [.. InstitutionIds ?? []];

    public string Describe() => $"inspection closed: {Summary}";
}

public record RectificationReported(Guid InspectionId, Guid FindingId, Guid InstitutionId, DateOnly EffectiveOn, string Note) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"rectification reported: {Note}";
}

public record RectificationVerified(Guid InspectionId, Guid FindingId, Guid InstitutionId, VerificationOutcome Outcome, DateOnly EffectiveOn, string? Note) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"rectification {(Outcome == VerificationOutcome.Accepted ? "accepted" : "rejected")}" + (Note is null ? "" : $": {Note}");
}

public record FindingDisputed(Guid InspectionId, Guid FindingId, Guid InstitutionId, DateOnly EffectiveOn, string Grounds) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"finding disputed: {Grounds}";
}

public record DisputeDecided(Guid InspectionId, Guid FindingId, Guid InstitutionId, DisputeOutcome Outcome, int? DemeritPoints, string Basis, DateOnly EffectiveOn) : IRegistryEvent, IConcernsInstitutions
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<Guid> ConcernedInstitutions => [InstitutionId];

    public string Describe() => $"dispute {Json.Wire(Outcome)}" + (DemeritPoints is { } p ? $" to {p} points" : "") + $" ({Basis})";
}
