using CareRegistry.Common;
using CareRegistry.Inspections;
using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace CareRegistry.Tests.Inspections;

public class InspectionDecisionTests
{
    private static readonly Guid Home = Guid.NewGuid(), Other = Guid.NewGuid(), Outside = Guid.NewGuid();
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static Inspection Opened() => Inspection.Begin(new InspectionOpened(Guid.NewGuid(), InspectionKind.Joint, [Home, Other],
        [Department.Health, Department.CivilAffairs], ["王", "李"], D(2023, 3, 1)));

    private static (Inspection, Finding) WithFinding(int points = 4, DateOnly? due = null, DateOnly? on = null)
    {
        var inspection = Opened();
        var recorded = new RecordFinding(Home, FindingCategory.DrugUse, Severity.Major, points, "过期药品", due ?? D(2023, 4, 1), null)
            .Decide(inspection, on ?? D(2023, 3, 2), Department.Health);
        inspection = inspection.With(recorded);
        return (inspection, inspection.Finding(recorded.FindingId)!);
    }

    private static void Refused(Microsoft.AspNetCore.Mvc.ProblemDetails p, string because)
    {
        Assert.Equal(StatusCodes.Status409Conflict, p.Status);
        Assert.Contains(because, p.Detail);
    }

    [Fact]
    public void A_finding_must_be_on_a_covered_institution_of_an_open_inspection()
    {
        var inspection = Opened();
        Refused(new RecordFinding(Outside, FindingCategory.Other, Severity.Minor, 0, "x", null, null).Check(inspection, D(2023, 3, 2)), "does not cover");
        Refused(new RecordFinding(Home, FindingCategory.Other, Severity.Minor, 0, "x", null, null).Check(inspection, D(2023, 2, 1)), "opened on");
        var closed = inspection.With(new InspectionClosed(inspection.Id, D(2023, 3, 10), "done"));
        Refused(new RecordFinding(Home, FindingCategory.Other, Severity.Minor, 0, "x", null, null).Check(closed, D(2023, 3, 11)), "was closed");
        Assert.Contains("demeritPoints", Assert.IsType<HttpValidationProblemDetails>(new RecordFinding(Home, FindingCategory.Other, Severity.Minor, 13, "x", null, null).Validate()).Errors.Keys);
    }

    [Fact]
    public void Rectification_is_reported_then_verified_and_a_rejection_reopens_it()
    {
        var (inspection, finding) = WithFinding();
        Refused(new VerifyRectification(D(2023, 3, 20), VerificationOutcome.Accepted, null).Check(finding), "not reported");

        inspection = inspection.With((RectificationReported)new ReportRectification(D(2023, 3, 15), "已清理").Decide(inspection, finding));
        inspection = inspection.With((RectificationVerified)new VerifyRectification(D(2023, 3, 20), VerificationOutcome.Rejected, "仍有过期药品").Decide(inspection, inspection.Finding(finding.Id)!));
        var rejected = inspection.Finding(finding.Id)!;
        Assert.Equal("rejected", rejected.RectificationOn(D(2023, 3, 21)));
        Assert.True(rejected.NeedsRectificationOn(D(2023, 3, 21)));
        Assert.Same(WolverineContinue.NoProblems, new ReportRectification(D(2023, 3, 25), "再次整改").Check(rejected));

        inspection = inspection.With((RectificationReported)new ReportRectification(D(2023, 3, 25), "再次整改").Decide(inspection, rejected));
        inspection = inspection.With((RectificationVerified)new VerifyRectification(D(2023, 3, 28), VerificationOutcome.Accepted, null).Decide(inspection, inspection.Finding(finding.Id)!));
        var accepted = inspection.Finding(finding.Id)!;
        Assert.True(accepted.IsRectifiedOn(D(2023, 3, 28)));
        Assert.False(accepted.IsOverdueOn(D(2023, 5, 1)));
        Refused(new ReportRectification(D(2023, 4, 1), "x").Check(accepted), "already accepted");
    }

    [Fact]
    public void A_deadline_passed_with_nothing_reported_is_overdue_from_the_next_day()
    {
        var (_, finding) = WithFinding(due: D(2023, 4, 1));
        Assert.False(finding.IsOverdueOn(D(2023, 4, 1)));
        Assert.True(finding.IsOverdueOn(D(2023, 4, 2)));
        Assert.False(finding.AwaitsVerificationOn(D(2023, 4, 2)));
    }

    private static Finding After(Inspection inspection, Finding finding, params IFindingCommand[] commands)
    {
        foreach (var command in commands)
        {
            Assert.Same(WolverineContinue.NoProblems, command.Check(inspection.Finding(finding.Id)!));
            inspection = (Inspection)Inspection.Next(inspection, command.Decide(inspection, inspection.Finding(finding.Id)!))!;
        }
        return inspection.Finding(finding.Id)!;
    }

    [Fact]
    public void Overdue_is_the_institutions_lateness_and_a_report_awaiting_verification_is_the_departments_work()
    {
        var (inspection, finding) = WithFinding(due: D(2023, 4, 1));
        var early = new ReportRectification(D(2023, 3, 25), "已整改");

        // Reported before the deadline, verified after it: never overdue; the department's from the report until verified.
        var verifiedLate = After(inspection, finding, early, new VerifyRectification(D(2023, 4, 10), VerificationOutcome.Accepted, null));
        foreach (var day in new[] { D(2023, 4, 2), D(2023, 4, 9), D(2023, 4, 10) }) Assert.False(verifiedLate.IsOverdueOn(day));
        Assert.False(verifiedLate.AwaitsVerificationOn(D(2023, 3, 24)));
        Assert.True(verifiedLate.AwaitsVerificationOn(D(2023, 3, 25)));
        Assert.True(verifiedLate.AwaitsVerificationOn(D(2023, 4, 9)));
        Assert.False(verifiedLate.AwaitsVerificationOn(D(2023, 4, 10)));

        // Rejected after the deadline: overdue from the rejection, not from the deadline.
        var rejectedLate = After(inspection, finding, early, new VerifyRectification(D(2023, 4, 10), VerificationOutcome.Rejected, "仍未整改"));
        Assert.False(rejectedLate.IsOverdueOn(D(2023, 4, 9)));
        Assert.True(rejectedLate.IsOverdueOn(D(2023, 4, 10)));
        Assert.False(rejectedLate.AwaitsVerificationOn(D(2023, 4, 10)));

        // Reported late: overdue until the report, then waiting for the department.
        var reportedLate = After(inspection, finding, new ReportRectification(D(2023, 4, 5), "逾期整改"));
        Assert.True(reportedLate.IsOverdueOn(D(2023, 4, 4)));
        Assert.False(reportedLate.IsOverdueOn(D(2023, 4, 5)));
        Assert.True(reportedLate.AwaitsVerificationOn(D(2023, 4, 5)));
    }

    [Fact]
    public void A_finding_belongs_to_the_department_of_the_inspector_who_recorded_it()
    {
        // A joint inspection opened by health; civil affairs records a fire-safety finding on it.
        var inspection = Opened();
        var recorded = new RecordFinding(Home, FindingCategory.FireSafety, Severity.Major, 4, "消防通道堵塞", D(2023, 4, 1), null)
            .Decide(inspection, D(2023, 3, 2), Department.CivilAffairs);
        Assert.Equal(Department.CivilAffairs, recorded.Department);
        var folded = inspection.With(recorded);
        Assert.Equal(Department.CivilAffairs, folded.DepartmentOf(folded.Finding(recorded.FindingId)!));

        // An event recorded before findings carried their department: the request's department header, else the
        // inspection's first department.
        var older = recorded with { Department = null };
        var stamped = new JasperFx.Events.Event<object>(older) { Headers = new() { ["department"] = "civil-affairs" } };
        var fromHeader = Inspection.Next(inspection, Inspection.Read(stamped))!;
        Assert.Equal(Department.CivilAffairs, fromHeader.DepartmentOf(fromHeader.Finding(recorded.FindingId)!));
        var unstamped = Inspection.Next(inspection, Inspection.Read(new JasperFx.Events.Event<object>(older)))!;
        Assert.Equal(Department.Health, unstamped.DepartmentOf(unstamped.Finding(recorded.FindingId)!));
    }

    [Fact]
    public void Demerit_points_count_over_the_twelve_months_up_to_the_day()
    {
        var (_, finding) = WithFinding(points: 6, on: D(2023, 3, 2));
        Assert.Equal(0, Supervision.DemeritPointsOn([finding], D(2023, 3, 1)));
        Assert.Equal(6, Supervision.DemeritPointsOn([finding], D(2023, 3, 2)));
        Assert.Equal(6, Supervision.DemeritPointsOn([finding], D(2024, 3, 1)));
        Assert.Equal(0, Supervision.DemeritPointsOn([finding], D(2024, 3, 2)));
    }

    [Fact]
    public void An_overturned_finding_drops_out_from_the_decision_date_and_changed_points_count_from_theirs()
    {
        var (inspection, finding) = WithFinding(points: 8);
        inspection = inspection.With((FindingDisputed)new DisputeFinding(D(2023, 3, 5), "药品在有效期内").Decide(inspection, finding));
        Refused(new DisputeFinding(D(2023, 3, 6), "again").Check(inspection.Finding(finding.Id)!), "already pending");
        Assert.Contains("demeritPoints", Assert.IsType<HttpValidationProblemDetails>(new DecideDispute(DisputeOutcome.PointsChanged, null, "x", D(2023, 3, 9)).Validate()).Errors.Keys);

        var changed = inspection.With((DisputeDecided)new DecideDispute(DisputeOutcome.PointsChanged, 2, "复议", D(2023, 3, 10)).Decide(inspection, inspection.Finding(finding.Id)!));
        Assert.Equal(8, changed.Finding(finding.Id)!.PointsOn(D(2023, 3, 9)));
        Assert.Equal(2, changed.Finding(finding.Id)!.PointsOn(D(2023, 3, 10)));

        var pointsChanged = changed.Finding(finding.Id)!;
        Assert.Equal(("none", "pending", "decided"), (pointsChanged.DisputeOn(D(2023, 3, 4)), pointsChanged.DisputeOn(D(2023, 3, 9)), pointsChanged.DisputeOn(D(2023, 3, 10))));
        Assert.Equal(new FindingDispute(D(2023, 3, 5), "药品在有效期内"), Assert.Single(pointsChanged.DisputesOn(D(2023, 3, 9))));
        Assert.Equal(new FindingDispute(D(2023, 3, 5), "药品在有效期内", DisputeOutcome.PointsChanged, 2, "复议", D(2023, 3, 10)),
            Assert.Single(pointsChanged.DisputesOn(D(2023, 3, 10))));

        var overturned = inspection.With((DisputeDecided)new DecideDispute(DisputeOutcome.Overturned, null, "复议撤销", D(2023, 3, 10)).Decide(inspection, inspection.Finding(finding.Id)!));
        var f = overturned.Finding(finding.Id)!;
        Assert.Equal(("pending", "overturned"), (f.DisputeOn(D(2023, 3, 9)), f.DisputeOn(D(2023, 3, 10))));
        Assert.Equal(8, Supervision.DemeritPointsOn([f], D(2023, 3, 9)));
        Assert.Equal(0, Supervision.DemeritPointsOn([f], D(2023, 3, 10)));
        Assert.False(f.NeedsRectificationOn(D(2023, 3, 10)));
        Refused(new DecideDispute(DisputeOutcome.Upheld, null, "x", D(2023, 3, 11)).Check(f), "no dispute");
    }
}
