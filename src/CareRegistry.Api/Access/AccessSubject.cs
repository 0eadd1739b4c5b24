using CareRegistry.Localization;
using CareRegistry.Common;

namespace CareRegistry.Access;

// A place the caller's jurisdiction must cover, and what it is, for the refusal's wording.
public sealed record Place(string Division, Text What);

// What a command concerns, as its endpoint understood it after binding the body and loading what the route names:
// the departments that decide it (none named: any department's officer), the places the caller must all cover, and
// places of which the caller must cover at least one. Each endpoint's Concerns method builds one; AccessGate.Check
// judges it against the caller.
public sealed record AccessSubject(IReadOnlyList<Department> DecidedBy, IReadOnlyList<Place> AllOf, IReadOnlyList<Place> AnyOf)
{
    public static readonly AccessSubject Nothing = new([], [], []);

    // Fields of the request that were to name a place but are not division codes (GB/T 2260): such a value names no
    // place, so no jurisdiction can be judged to cover it. AccessGate.Check answers 400 naming them, which tells the
    // caller nothing about what the registry holds (the table of divisions is public).
    public IReadOnlyList<(string Field, Text Reason)> Malformed { get; init; } = [];

    // A division named by the request's field (a body's jurisdiction).
    public static AccessSubject Division(string? code, string field = "jurisdiction") =>
        string.IsNullOrEmpty(code) ? Nothing : Nothing.Named(field, code, () => L.T("division {0}", code));

    // A jurisdiction's own rules: "00" is the nation, which only a national caller covers.
    public static AccessSubject Jurisdiction(string code, string field = "code") =>
        code == "00" ? Nothing.Within("", L.T("the nation (00)")) : Nothing.Named(field, code, () => L.T("jurisdiction {0}", code));

    // A list asked for a division prefix; none (or 00) is narrowed to the caller's own by AccessGate.ReadPrefix.
    public static AccessSubject ReadingIn(string? jurisdiction) =>
        jurisdiction is null or "" or "00" ? Nothing : Nothing.Named("jurisdiction", jurisdiction, () => L.T("jurisdiction {0}", jurisdiction));

    // A place the request names in one of its fields: within it when it is a division code, else malformed.
    private AccessSubject Named(string field, string code, Func<Text> what) =>
        Common.Division.PrefixProblem(code) is { } problem ? this with { Malformed = [.. Malformed, (field, problem)] } : Within(code, what());

    public static AccessSubject Institution(Institutions.Institution? institution) =>
        institution is null ? Nothing : Nothing.Within(institution);

    public AccessSubject Within(string division, Text what) => this with { AllOf = [.. AllOf, new Place(division, what)] };

    public AccessSubject Within(Institutions.Institution institution) =>
        Within(institution.Jurisdiction, L.T("institution {0} in {1}", institution.Uscc, institution.Jurisdiction));

    public AccessSubject WithinAll(IEnumerable<Institutions.Institution> institutions) =>
        institutions.Aggregate(this, (s, i) => s.Within(i));

    // The caller must cover at least one of these (an agreement's parties, an inspection's institutions).
    public AccessSubject WithinAny(IEnumerable<Institutions.Institution> institutions, Text what) =>
        this with { AnyOf = [.. AnyOf, .. institutions.Select(i => new Place(i.Jurisdiction, what))] };

    public AccessSubject DecidedByAny(IEnumerable<Department> departments) => this with { DecidedBy = [.. DecidedBy, .. departments.Distinct()] };

    public AccessSubject Decided(Department? department) => department is { } d ? DecidedByAny([d]) : this;
}
