using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace CareRegistry.Tests.Permits;

// Given a permit's events, when a command, then an event or a problem.
public class PermitDecisionTests
{
    private static readonly Guid PermitId = Guid.CreateVersion7();
    private static readonly Guid InstitutionId = Guid.CreateVersion7();
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static Permit Application(PermitType type = PermitType.MedicalPractice, DateOnly? on = null) => Permit.Begin(
        new PermitApplicationSubmitted(PermitId, InstitutionId, "530111", type, PermitTypes.DepartmentOf(type), "530111-0042", null, on ?? D(2015, 1, 1), null, null));

    private static Permit Filing(PermitType type = PermitType.InternalClinic) => Permit.Begin(
        new PermitFiled(PermitId, InstitutionId, "500112", type, PermitTypes.DepartmentOf(type), "备-1", null, D(2019, 1, 1), null, "38号"));

    private static Permit Licence(DateOnly? expires = null) => Application().With(new PermitGranted(PermitId, D(2015, 3, 1), null, expires ?? D(2020, 12, 31)));

    private static void Refused(Microsoft.AspNetCore.Mvc.ProblemDetails problem, string because)
    {
        Assert.Equal(StatusCodes.Status409Conflict, problem.Status);
        Assert.Contains(because, problem.Detail);
    }

    private static void Allowed(Microsoft.AspNetCore.Mvc.ProblemDetails problem) => Assert.Same(WolverineContinue.NoProblems, problem);

    [Fact]
    public void An_application_is_pending_until_granted_and_active_from_the_grant()
    {
        var command = new DecideApplication(Decision.Granted, D(2015, 3, 1), null, "530111-0042", D(2020, 12, 31));
        Allowed(command.Check(Application()));

        var granted = Assert.IsType<PermitGranted>(command.Decide(Application()));
        var permit = Application().With(granted);

        Assert.Equal(PermitStatus.Pending, permit.StatusOn(D(2015, 2, 28)));
        Assert.Equal(PermitStatus.Active, permit.StatusOn(D(2015, 3, 1)));
        Assert.Null(permit.StatusOn(D(2014, 12, 31)));
    }

    [Fact]
    public void A_refusal_needs_a_reason_and_a_refused_application_cannot_be_granted()
    {
        Assert.Contains("reason", Assert.IsType<HttpValidationProblemDetails>(new DecideApplication(Decision.Refused, D(2015, 2, 1), null, null, null).Validate()).Errors.Keys);

        var refused = Application().With(new PermitRefused(PermitId, D(2015, 2, 1), "staffing below standard"));
        Refused(new DecideApplication(Decision.Granted, D(2015, 3, 1), null, null, null).Check(refused), "it is refused");
    }

    [Fact]
    public void Expiry_is_a_fact_of_the_date_and_renewal_extends_it()
    {
        var licence = Licence(D(2020, 12, 31));
        Assert.Equal(PermitStatus.Active, licence.StatusOn(D(2020, 12, 31)));
        Assert.Equal(PermitStatus.Expired, licence.StatusOn(D(2021, 1, 1)));

        var renew = new RenewPermit(D(2021, 2, 1), D(2025, 12, 31), "校验");
        Allowed(renew.Check(licence));
        var renewed = licence.With(Assert.IsType<PermitRenewed>(renew.Decide(licence)));
        Assert.Equal(PermitStatus.Expired, renewed.StatusOn(D(2021, 1, 15)));
        Assert.Equal(PermitStatus.Active, renewed.StatusOn(D(2023, 1, 1)));
        Assert.Equal(PermitStatus.Expired, renewed.StatusOn(D(2026, 1, 1)));

        Refused(new RenewPermit(D(2021, 2, 1), D(2020, 6, 30), null).Check(licence), "must be after");
    }

    [Fact]
    public void A_revoked_licence_cannot_be_renewed_reinstated_or_revoked_again()
    {
        var revoked = Licence().With(new PermitRevoked(PermitId, D(2018, 1, 1), "fraud", null));

        Refused(new RenewPermit(D(2018, 6, 1), D(2030, 1, 1), null).Check(revoked), "it is revoked");
        Refused(new ReinstatePermit(D(2018, 6, 1), null).Check(revoked), "it is revoked");
        Refused(new RevokePermit(D(2018, 6, 1), "again").Check(revoked), "it is revoked");
        Assert.Equal(PermitStatus.Active, revoked.StatusOn(D(2017, 12, 31)));
    }

    [Fact]
    public void Suspension_and_reinstatement_follow_each_other()
    {
        Refused(new SuspendPermit(D(2015, 2, 1), "x").Check(Application()), "it is pending");
        Refused(new ReinstatePermit(D(2016, 1, 1), null).Check(Licence()), "it is active");

        var suspended = Licence().With(Assert.IsType<PermitSuspended>(new SuspendPermit(D(2016, 1, 1), "drug storage").Decide(Licence())));
        Assert.Equal(PermitStatus.Suspended, suspended.StatusOn(D(2016, 6, 1)));
        Allowed(new ReinstatePermit(D(2016, 7, 1), "rectified").Check(suspended));
        Allowed(new RevokePermit(D(2016, 7, 1), "not rectified").Check(suspended));
        Refused(new RenewPermit(D(2016, 7, 1), D(2030, 1, 1), null).Check(suspended), "it is suspended");
    }

    [Fact]
    public void Filing_review_requests_a_correction_then_takes_it_or_cancels()
    {
        var filing = Filing();
        Assert.Equal(PermitStatus.Active, filing.StatusOn(D(2019, 1, 1)));

        var request = new RequestFilingCorrection(D(2019, 3, 1), D(2019, 4, 1), "missing nurse licences");
        Allowed(request.Check(filing));
        var asked = filing.With(Assert.IsType<FilingCorrectionRequested>(request.Decide(filing)));
        Assert.Equal(PermitStatus.CorrectionRequested, asked.StatusOn(D(2019, 3, 15)));
        Assert.Equal(D(2019, 4, 1), asked.CorrectionDueOn);

        Allowed(new CorrectFiling(D(2019, 3, 20), null).Check(asked));
        Allowed(new CancelFiling(D(2019, 4, 2), "not corrected").Check(asked));
        Refused(new CorrectFiling(D(2019, 2, 1), null).Check(asked), "it is active");

        var cancelled = asked.With(new FilingCancelled(PermitId, D(2019, 4, 2), "not corrected"));
        Refused(new CancelFiling(D(2019, 5, 1), "again").Check(cancelled), "it is cancelled");
    }

    [Fact]
    public void Filing_review_does_not_apply_to_an_approval()
    {
        Refused(new RequestFilingCorrection(D(2016, 1, 1), D(2016, 2, 1), "x").Check(Licence()), "by approval, not by filing");
        Refused(new CancelFiling(D(2016, 1, 1), "x").Check(Licence()), "by approval, not by filing");
        Refused(new DecideApplication(Decision.Granted, D(2019, 2, 1), null, null, null).Check(Filing()), "it is active");
    }

    [Fact]
    public void A_late_entry_takes_its_place_in_time()
    {
        // Recorded after the revocation, effective before it.
        var permit = Licence().With(new PermitRevoked(PermitId, D(2019, 1, 1), "x", null)).With(new PermitSuspended(PermitId, D(2018, 1, 1), "y", null));

        Assert.Equal(PermitStatus.Suspended, permit.StatusOn(D(2018, 6, 1)));
        Assert.Equal(PermitStatus.Revoked, permit.StatusOn(D(2019, 6, 1)));
    }

    [Fact]
    public void The_nearest_level_with_a_regime_in_force_wins()
    {
        static Jurisdiction Level(string code, Regime regime, DateOnly on) =>
            Jurisdiction.Create(new RegimeChanged(code, PermitType.InternalClinic, regime, on, $"doc-{code}", PendingApplications.Keep));
        var book = new RegimeBook([Level("00", Regime.Filing, D(2017, 11, 8)), Level("53", Regime.Approval, D(2018, 1, 1)),
            Level("5301", Regime.Filing, D(2018, 9, 1)), Level("530111", Regime.Approval, D(2019, 1, 1))]);

        Assert.Equal(Regime.Approval, book.Resolve(PermitType.InternalClinic, "530112", D(2017, 11, 7)).Regime);
        Assert.Equal("00", book.Resolve(PermitType.InternalClinic, "530112", D(2017, 11, 8)).Basis!.Jurisdiction);
        Assert.Equal(Regime.Filing, book.Resolve(PermitType.InternalClinic, "500112", D(2017, 12, 1)).Regime);
        Assert.Equal("53", book.Resolve(PermitType.InternalClinic, "530112", D(2018, 6, 1)).Basis!.Jurisdiction);
        Assert.Equal(Regime.Approval, book.Resolve(PermitType.InternalClinic, "530112", D(2018, 6, 1)).Regime);
        Assert.Equal("5301", book.Resolve(PermitType.InternalClinic, "530112", D(2018, 10, 1)).Basis!.Jurisdiction);
        Assert.Equal(Regime.Approval, book.Resolve(PermitType.InternalClinic, "530111", D(2019, 2, 1)).Regime);
        Assert.Equal(Regime.Filing, book.Resolve(PermitType.InternalClinic, "530111", D(2018, 12, 31)).Regime);
        Assert.Null(book.Resolve(PermitType.ElderlyCare, "530111", D(2025, 1, 1)).Basis);
    }

    // The national elderly-care reform: filing from 2018-12-29, pending applications converted (or kept).
    private static RegimeChanged Reform(PendingApplications pending = PendingApplications.Convert) =>
        new("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29), "民函〔2019〕1号", pending);

    private static RegimeBook BookOf(params RegimeChanged[] changes) =>
        new(changes.GroupBy(c => c.Jurisdiction).Select(g => g.Skip(1).Aggregate(Jurisdiction.Create(g.First()), (j, c) => j.Apply(c))));

    private static object[] SubmitCare(DateOnly on, RegimeBook book) =>
        new SubmitPermit(PermitType.ElderlyCare, null, on, null, null).Decide(PermitId, new PermitSubmission(InstitutionOf(InstitutionKind.ElderlyCare), [], book));

    private static Permit Fold(IEnumerable<object> events) => events.Aggregate((Permit?)null, Permit.Next)!;

    [Fact]
    public void An_application_dated_before_a_recorded_conversion_is_converted_when_submitted_and_cannot_be_decided_after_it()
    {
        var events = SubmitCare(D(2018, 10, 1), BookOf(Reform()));
        Assert.IsType<PermitApplicationSubmitted>(events[0]);
        Assert.Equal(D(2018, 12, 29), Assert.IsType<PendingApplicationConvertedToFiling>(Assert.Single(events.Skip(1))).EffectiveOn);

        var permit = Fold(events);
        Assert.Equal(PermitStatus.Pending, permit.StatusOn(D(2018, 12, 28)));
        Assert.Equal(PermitStatus.Active, permit.StatusOn(D(2019, 1, 15)));
        Assert.Equal((Regime.Filing, D(2018, 12, 29)), (permit.Regime, permit.ConvertedOn));
        Refused(new DecideApplication(Decision.Granted, D(2019, 2, 1), null, null, null).Check(permit), "converted to a filing on 2018-12-29");
        Refused(new DecideApplication(Decision.Refused, D(2019, 2, 1), "x", null, null).Check(permit), "converted to a filing on 2018-12-29");

        // Kept: the application waits for its decision. Overridden by a nearer level keeping approval: not converted.
        Assert.Single(SubmitCare(D(2018, 10, 1), BookOf(Reform(PendingApplications.Keep))));
        Assert.Single(SubmitCare(D(2018, 10, 1), BookOf(Reform(), new RegimeChanged("530111", PermitType.ElderlyCare, Regime.Approval, D(2018, 1, 1), "区规定", PendingApplications.Keep),
            new RegimeChanged("530111", PermitType.ElderlyCare, Regime.Approval, D(2018, 12, 29), "区规定", PendingApplications.Keep))));
        Assert.Single(SubmitCare(D(2019, 1, 1), BookOf(Reform())));
    }

    [Fact]
    public void A_regime_change_settles_an_application_the_same_whichever_was_recorded_first()
    {
        var application = SubmitCare(D(2018, 10, 1), BookOf())[0];
        var book = BookOf(Reform());
        var days = new[] { D(2018, 10, 1), D(2018, 12, 28), D(2018, 12, 29), D(2019, 2, 1), D(2020, 1, 1) };
        string Story(Permit p) => $"{p.Regime} {p.ConvertedOn}: {string.Join(", ", days.Select(p.StatusOn))}";

        // Change first: the grant dated after it is refused, so the story is the conversion's.
        var changeFirst = Fold([application, PendingApplicationConversion.Decide(Fold([application]), Reform(), book)!]);
        // Grant (2019-02-01) recorded first: the change, recorded later, still finds the application pending on its date.
        var granted = Fold([application, new PermitGranted(PermitId, D(2019, 2, 1), "民养许-1", null, InstitutionId)]);
        var conversion = PendingApplicationConversion.Decide(granted, Reform(), book);
        Assert.NotNull(conversion);
        Assert.Equal(Story(changeFirst), Story(Fold([application, new PermitGranted(PermitId, D(2019, 2, 1), "民养许-1", null, InstitutionId), conversion!])));
        Assert.Equal(PermitStatus.Active, changeFirst.StatusOn(D(2019, 1, 1)));

        // A grant dated before the change settles the application first, in either recording order.
        var early = new PermitGranted(PermitId, D(2018, 11, 1), "民养许-2", null, InstitutionId);
        var grantedEarly = Fold([application, early]);
        Assert.Null(PendingApplicationConversion.Decide(grantedEarly, Reform(), book));
        Allowed(new DecideApplication(Decision.Granted, D(2018, 11, 1), null, null, null).Check(changeFirst));
        Assert.Equal(Story(grantedEarly), Story(Fold([application, PendingApplicationConversion.Decide(Fold([application]), Reform(), book)!, early])));
        Assert.Equal((Regime.Approval, (DateOnly?)null), (grantedEarly.Regime, grantedEarly.ConvertedOn));
    }

    private static Institution InstitutionOf(InstitutionKind kind, int careBeds = 0) => Institution.Begin(new InstitutionRegistered(
        InstitutionId, "x", null, "52530111DM0000001P", kind, kind == InstitutionKind.Medical ? MedicalSubtype.GeneralHospital : null, null,
        Ownership.Private, "530111", "x", new Beds(careBeds, 10, 0, 0, 0), null, null, D(2010, 1, 1)));

    private static Microsoft.AspNetCore.Mvc.ProblemDetails Submit(PermitType type, Institution institution, params Permit[] held) =>
        new SubmitPermit(type, null, D(2020, 1, 1), null, null).Check(new PermitSubmission(institution, held, new RegimeBook([])));

    [Fact]
    public void Permit_kinds_must_fit_the_institution()
    {
        Refused(Submit(PermitType.InternalClinic, InstitutionOf(InstitutionKind.Medical)), "internal clinic needs an elderly-care institution");
        Refused(Submit(PermitType.ElderlyCare, InstitutionOf(InstitutionKind.Medical)), "elderly-care beds");
        Allowed(Submit(PermitType.ElderlyCare, InstitutionOf(InstitutionKind.Medical, careBeds: 20)));
        Refused(Submit(PermitType.InsuranceDesignation, InstitutionOf(InstitutionKind.Medical)), "needs a medical-practice licence or internal clinic");
        Allowed(Submit(PermitType.InsuranceDesignation, InstitutionOf(InstitutionKind.Medical), Licence(D(2025, 1, 1))));
        Refused(Submit(PermitType.MedicalPractice, InstitutionOf(InstitutionKind.Medical), Licence(D(2025, 1, 1))), "already holds");
    }

    [Fact]
    public void Integrated_status_is_derived_from_permits_in_force_on_the_day()
    {
        var care = Permit.Begin(new PermitFiled(Guid.NewGuid(), InstitutionId, "530111", PermitType.ElderlyCare, Department.CivilAffairs, null, null, D(2019, 1, 1), null, null));
        var licence = Licence(D(2030, 1, 1)).With(new PermitRevoked(PermitId, D(2021, 7, 1), "x", null));

        Assert.False(Integration.IsIntegrated([care, licence], D(2018, 12, 31)));
        Assert.True(Integration.IsIntegrated([care, licence], D(2020, 1, 1)));
        Assert.False(Integration.IsIntegrated([care, licence], D(2021, 7, 1)));
        Assert.Equal("care-with-medical", Integration.Model(InstitutionOf(InstitutionKind.ElderlyCare)));
        Assert.Equal("medical-with-care", Integration.Model(InstitutionOf(InstitutionKind.Medical)));
    }
}
