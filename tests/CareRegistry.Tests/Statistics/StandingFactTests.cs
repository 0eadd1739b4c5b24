using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using JasperFx.Events;

namespace CareRegistry.Tests.Statistics;

// Given an institution's events, the facts derived for lists, statistics and alerts.
public class StandingFactTests
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static readonly Guid Home = Guid.NewGuid();
    private static readonly Guid Partner = Guid.NewGuid();

    private static async Task<InstitutionStanding> Given(params (Guid Stream, object Data)[] events)
    {
        var standing = new InstitutionStanding { Id = Home };
        var sequence = 0;
        foreach (var (stream, data) in events)
            // Only a correction reads the store, and none is given here.
            await standing.ApplyAsync(null!, new Event<object>(data) { StreamId = stream, Sequence = ++sequence, Version = sequence }, CancellationToken.None);
        return standing;
    }

    private static InstitutionRegistered Registered() => new(Home, "甲养老院", null, "52530111TE00000011", InstitutionKind.ElderlyCare, null, null,
        Ownership.Private, "530111", "官渡区", new Beds(100, 0, 20, 0, 0), null, null, D(2015, 1, 1));

    private static PermitFiled Filed(Guid id, PermitType type, DateOnly on) => new(id, Home, "530111", type, PermitTypes.DepartmentOf(type), null, null, on, null, null);

    private static IEnumerable<(DateOnly From, DateOnly? To)> Intervals(InstitutionStanding s, string fact, string? label = null) =>
        s.Derive().Where(f => f.Fact == fact && (label is null || f.Label == label)).Select(f => (f.ValidFrom, f.ValidTo)).OrderBy(x => x.ValidFrom);

    [Fact]
    public async Task Integration_partnership_gaps_and_beds_become_dated_facts()
    {
        var care = Guid.NewGuid();
        var clinic = Guid.NewGuid();
        var agreement = Guid.NewGuid();
        var s = await Given(
            (Home, Registered()),
            (care, Filed(care, PermitType.ElderlyCare, D(2019, 1, 1))),
            (clinic, Filed(clinic, PermitType.InternalClinic, D(2019, 6, 1))),
            (agreement, new PartnershipSigned(agreement, PartnershipKind.CareMedical, [Home, Partner], [PartnershipService.EmergencyCare], D(2019, 1, 1), D(2020, 12, 31))),
            (Home, new InstitutionBedsChanged(Home, new Beds(150, 0, 20, 0, 0), D(2022, 1, 1), "扩建")));

        Assert.Equal([(D(2019, 6, 1), (DateOnly?)null)], Intervals(s, Facts.Integrated));
        Assert.Equal([(D(2019, 1, 1), (DateOnly?)D(2021, 1, 1))], Intervals(s, Facts.Partnered));
        // The alert concerns a 养老机构, so only while its elderly-care filing is in force (from 2019): not the years before.
        Assert.Equal([(D(2021, 1, 1), (DateOnly?)null)], Intervals(s, Facts.Alert, AlertTypes.CareHomeWithoutPartnership));
        Assert.Equal([(D(2019, 1, 1), (DateOnly?)null)], Intervals(s, Facts.CarePermit));
        Assert.Equal([(D(2019, 6, 1), (DateOnly?)null)], Intervals(s, Facts.Alert, AlertTypes.IntegratedWithoutInsurance));
        Assert.Equal([100, 150], s.Derive().Where(f => f.Fact == Facts.Beds && f.Label == "elderly-care").OrderBy(f => f.ValidFrom).Select(f => f.Value));
    }

    [Fact]
    public async Task A_closure_ends_every_fact_and_an_expiry_splits_a_permit_into_alerts()
    {
        var licence = Guid.NewGuid();
        var s = await Given(
            (Home, Registered()),
            (licence, new PermitApplicationSubmitted(licence, Home, "530111", PermitType.InternalClinic, Department.Health, null, null, D(2016, 1, 1), D(2020, 12, 31), null)),
            (licence, new PermitGranted(licence, D(2016, 2, 1), "医-1", D(2020, 12, 31), Home)),
            (Home, new InstitutionClosed(Home, D(2022, 6, 30), "停业")));

        Assert.Equal(["pending", "active", "expired"], s.Derive().Where(f => f.Fact == Facts.Permit).OrderBy(f => f.ValidFrom).Select(f => f.Status!));
        Assert.Equal([(D(2020, 11, 1), (DateOnly?)D(2021, 1, 1))], Intervals(s, Facts.Alert, AlertTypes.PermitExpiring));
        Assert.Equal([(D(2021, 1, 1), (DateOnly?)D(2022, 6, 30))], Intervals(s, Facts.Alert, AlertTypes.PermitExpired));
        Assert.All(s.Derive(), f => Assert.True(f.ValidTo is { } to && to <= D(2022, 6, 30), $"{f.Fact} {f.Label} outlives the closure"));
    }

    [Fact]
    public async Task A_rectification_is_overdue_while_the_institution_is_late_and_pending_while_the_department_verifies()
    {
        var inspection = Guid.NewGuid();
        var finding = Guid.NewGuid();
        // Opened by health; the finding is civil affairs', due 2023-04-01, reported in time, verified late; a second
        // report after a late rejection.
        var s = await Given(
            (Home, Registered()),
            (inspection, new InspectionOpened(inspection, InspectionKind.Joint, [Home], [Department.Health, Department.CivilAffairs], ["王", "李"], D(2023, 3, 1))),
            (inspection, new FindingRecorded(inspection, finding, Home, FindingCategory.FireSafety, Severity.Major, 4, "消防通道堵塞", D(2023, 4, 1), D(2023, 3, 1),
                Department.CivilAffairs)),
            (inspection, new RectificationReported(inspection, finding, Home, D(2023, 3, 25), "已整改")),
            (inspection, new RectificationVerified(inspection, finding, Home, VerificationOutcome.Rejected, D(2023, 4, 10), "仍未整改")),
            (inspection, new RectificationReported(inspection, finding, Home, D(2023, 4, 20), "再次整改")),
            (inspection, new RectificationVerified(inspection, finding, Home, VerificationOutcome.Accepted, D(2023, 4, 25), null)));

        Assert.Equal([(D(2023, 4, 10), (DateOnly?)D(2023, 4, 20))], Intervals(s, Facts.Alert, AlertTypes.RectificationOverdue));
        Assert.Equal([(D(2023, 3, 25), (DateOnly?)D(2023, 4, 10)), (D(2023, 4, 20), D(2023, 4, 25))], Intervals(s, Facts.Alert, AlertTypes.VerificationPending));
        Assert.All(s.Derive().Where(f => f.Fact == Facts.Alert && f.Subject == finding), f => Assert.Equal("civil-affairs", f.Department));
        Assert.Equal("civil-affairs", Assert.Single(s.Derive(), f => f.Fact == Facts.Finding).Department);
    }
}
