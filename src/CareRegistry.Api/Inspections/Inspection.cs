using CareRegistry.Audit;
using CareRegistry.Common;
using JasperFx.Events;

namespace CareRegistry.Inspections;

public record PointChange(DateOnly On, int Points);

public record RectificationStep(DateOnly On, string Step);

// One dispute of a finding (申辩/复议): filed with its grounds; decided with an outcome, the points it set and its basis.
public record FindingDispute(DateOnly FiledOn, string Grounds, DisputeOutcome? Outcome = null, int? DemeritPoints = null, string? Basis = null,
    DateOnly? DecidedOn = null);

// A finding and what followed it, each step with its effective date, so its state on any day is read off the
// document: points in force, whether rectification was accepted, whether it is overdue, whether it was overturned.
public record Finding(
    Guid Id, Guid InstitutionId, FindingCategory Category, Severity Severity, int DemeritPoints, string Description,
    DateOnly FoundOn, DateOnly? RectificationDue,
    IReadOnlyList<PointChange> PointChanges,
    IReadOnlyList<RectificationStep> Rectification,
    DateOnly? DisputedOn, DateOnly? OverturnedOn, bool DisputePending,
    Department? Department = null, IReadOnlyList<FindingDispute>? Disputes = null)
{
    // The points of the last change in force on the day, else those found; none once overturned.
    public int PointsOn(DateOnly day)
    {
        if (OverturnedOn is { } o && o <= day) return 0;
        var points = DemeritPoints;
        for (var k = 0; k < PointChanges.Count; k++)
            if (PointChanges[k].On <= day) points = PointChanges[k].Points;
        return points;
    }

    public bool CountsOn(DateOnly day) => FoundOn <= day && !(OverturnedOn is { } o && o <= day);

    // "reported", "accepted", "rejected" or null (nothing yet) on the day.
    // A loop, as PointsOn: the standing's fold asks for every change day of every finding.
    public string? RectificationOn(DateOnly day)
    {
        string? step = null;
        for (var k = 0; k < Rectification.Count; k++)
            if (Rectification[k].On <= day) step = Rectification[k].Step;
        return step;
    }

    public bool IsRectifiedOn(DateOnly day) => RectificationOn(day) == "accepted";

    // The disputes filed by the day, each with its decision if decided by then.
    public IReadOnlyList<FindingDispute> DisputesOn(DateOnly day) =>
        (Disputes ?? []).Where(d => d.FiledOn <= day).Select(d => d.DecidedOn <= day ? d : new FindingDispute(d.FiledOn, d.Grounds)).ToList();

    // "none", "pending", "decided" or "overturned" on the day.
    public string DisputeOn(DateOnly day) =>
        OverturnedOn is { } o && o <= day ? "overturned"
        : Disputes is null ? (DisputedOn is null ? "none" : DisputePending ? "pending" : "decided")   // a snapshot folded before disputes were kept
        : DisputesOn(day) switch { [] => "none", [.., { DecidedOn: null }] => "pending", _ => "decided" };

    // Overdue is the institution's lateness: past the deadline with nothing reported, or with its last report
    // rejected. A report waiting for verification is the inspecting department's work, not the institution's delay.
    public bool IsOverdueOn(DateOnly day) => CountsOn(day) && RectificationDue is { } due && due < day && RectificationOn(day) is null or "rejected";

    public bool AwaitsVerificationOn(DateOnly day) => CountsOn(day) && RectificationDue is not null && RectificationOn(day) == "reported";

    public bool NeedsRectificationOn(DateOnly day) => CountsOn(day) && RectificationDue is not null && !IsRectifiedOn(day);
}

public record Inspection(
    Guid Id, InspectionKind Kind, IReadOnlyList<Guid> InstitutionIds, IReadOnlyList<Department> Departments,
    IReadOnlyList<string> Inspectors, DateOnly OpenedOn, DateOnly? ClosedOn, string? Summary, IReadOnlyList<Finding> Findings, long Version)
{
    // Found by the institutions it names (InspectionsConfiguration.OfInstitution).
    public static void ConfigureMarten(Marten.Schema.DocumentMapping mapping) =>
        Common.MemberIndex.Add(mapping, InspectionsConfiguration.InstitutionIndex, InspectionsConfiguration.InstitutionMember);

    public Finding? Finding(Guid id) => Findings.FirstOrDefault(f => f.Id == id);

    // A finding belongs to the department of the inspector who recorded it; a snapshot folded before findings
    // carried one falls back to the inspection's first department.
    public Department DepartmentOf(Finding finding) => finding.Department ?? Departments[0];

    // What the fold reads of a recorded event: a finding recorded before its event carried the department takes the
    // department its request was stamped with (RecordedBy), else With() falls back to the inspection's first.
    public static object Read(IEvent e) =>
        e.Data is FindingRecorded { Department: null } f && RecordedBy.DepartmentOf(e) is { } recorder ? f with { Department = recorder } : e.Data;

    public static Inspection? Next(Inspection? state, object @event) => (state, @event) switch
    {
        (_, InspectionOpened e) => Begin(e),
        ({ } i, FindingRecorded e) => i.With(e),
        ({ } i, InspectionClosed e) => i.With(e),
        ({ } i, RectificationReported e) => i.With(e),
        ({ } i, RectificationVerified e) => i.With(e),
        ({ } i, FindingDisputed e) => i.With(e),
        ({ } i, DisputeDecided e) => i.With(e),
        _ => state,
    };

    public static Inspection Begin(InspectionOpened e) =>
        new(e.InspectionId, e.Kind, e.InstitutionIds, e.Departments, e.Inspectors, e.EffectiveOn, null, null, [], 0);

    public Inspection With(FindingRecorded e) => this with
    {
        Findings = [.. Findings, new Finding(e.FindingId, e.InstitutionId, e.Category, e.Severity, e.DemeritPoints, e.Description,
            e.EffectiveOn, e.RectificationDue, [], [], null, null, false, e.Department ?? Departments[0])],
    };

    public Inspection With(InspectionClosed e) => this with { ClosedOn = e.EffectiveOn, Summary = e.Summary };

    public Inspection With(RectificationReported e) => Change(e.FindingId, f => f with { Rectification = Step(f.Rectification, e.EffectiveOn, "reported") });

    public Inspection With(RectificationVerified e) => Change(e.FindingId, f => f with
    {
        Rectification = Step(f.Rectification, e.EffectiveOn, e.Outcome == VerificationOutcome.Accepted ? "accepted" : "rejected"),
    });

    public Inspection With(FindingDisputed e) => Change(e.FindingId, f => f with
    {
        DisputedOn = e.EffectiveOn, DisputePending = true, Disputes = [.. f.Disputes ?? [], new FindingDispute(e.EffectiveOn, e.Grounds)],
    });

    public Inspection With(DisputeDecided e) => Change(e.FindingId, disputed => Decided(disputed, e) is var f ? e.Outcome switch
    {
        DisputeOutcome.Overturned => f with { DisputePending = false, OverturnedOn = e.EffectiveOn },
        DisputeOutcome.PointsChanged => f with
        {
            DisputePending = false,
            PointChanges = [.. f.PointChanges.Append(new PointChange(e.EffectiveOn, e.DemeritPoints!.Value)).OrderBy(c => c.On)],
        },
        _ => f with { DisputePending = false },
    } : disputed);

    // The pending dispute takes the decision.
    private static Finding Decided(Finding f, DisputeDecided e) => f with
    {
        Disputes = (f.Disputes ?? []).Select((d, n) => n == f.Disputes!.Count - 1 && d.DecidedOn is null
            ? d with { Outcome = e.Outcome, DemeritPoints = e.DemeritPoints, Basis = e.Basis, DecidedOn = e.EffectiveOn } : d).ToList(),
    };

    private static IReadOnlyList<RectificationStep> Step(IReadOnlyList<RectificationStep> steps, DateOnly on, string step) =>
        [.. steps.Append(new RectificationStep(on, step)).OrderBy(s => s.On)];

    private Inspection Change(Guid findingId, Func<Finding, Finding> change) =>
        this with { Findings = Findings.Select(f => f.Id == findingId ? change(f) : f).ToList() };
}
