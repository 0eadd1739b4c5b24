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

    // A cluster's inspection names every institution it inspected; each one's standing keeps only what its own facts
    // come from, so the stored standings do not carry the cluster eight times over, and derive what the whole
    // inspection gives.
    [Fact]
    public async Task A_standing_keeps_of_a_cluster_inspection_what_its_own_facts_come_from()
    {
        var inspection = Guid.NewGuid();
        var ours = Guid.NewGuid();
        var opened = new InspectionOpened(inspection, InspectionKind.Joint, [Home, Partner], [Department.Health, Department.CivilAffairs], ["王卫", "李民"], D(2023, 3, 1));
        var found = new FindingRecorded(inspection, ours, Home, FindingCategory.FireSafety, Severity.Major, 4, "消防通道堵塞", D(2023, 4, 1), D(2023, 3, 1));
        var closed = new InspectionClosed(inspection, D(2023, 3, 2), "检查结束，限期整改", [Home, Partner]);
        var s = await Given((Home, Registered()), (inspection, opened), (inspection, found), (inspection, closed));

        var whole = Inspection.Next(Inspection.Next(Inspection.Begin(opened), found), closed)!;
        var fromWhole = new InstitutionStanding { Id = Home, Institution = s.Institution, BedsHistory = s.BedsHistory, Inspections = [whole] };
        Assert.Equal(Described(fromWhole.Derive()), Described(s.Derive()));
        Assert.Contains(s.Derive(), f => f.Fact == Facts.Finding && f.Subject == ours && f.Department == "health");
        var stored = System.Text.Json.JsonSerializer.Serialize(s, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains("消防通道堵塞", stored);
        Assert.DoesNotContain(Partner.ToString(), stored);
        Assert.DoesNotContain("李民", stored);
        Assert.DoesNotContain("限期整改", stored);
    }

    private static IEnumerable<string> Described(IEnumerable<StandingFact> facts) =>
        facts.Select(f => $"{f.Fact}|{f.Label}|{f.Status}|{f.Department}|{f.Subject}|{f.Reference}|{f.ValidFrom}|{f.ValidTo}|{f.DueOn}|{f.Value}").Order();

    // The projection skips its reconcile when DeriveInto says nothing changed. A joint inspection's closing changes
    // none of its institutions' facts (a standing keeps the inspection without its closing); an inspection gone (a
    // retraction of its opening) with every other section as it was does, though no section is derived again.
    [Fact]
    public async Task Derive_says_unchanged_only_when_the_facts_are_the_last_ones()
    {
        var inspection = Guid.NewGuid();
        var opened = new InspectionOpened(inspection, InspectionKind.Joint, [Home, Partner], [Department.Health], ["王卫"], D(2023, 3, 1));
        var s = await Given((Home, Registered()), (inspection, opened));
        var facts = new List<StandingFact.Same>();
        Assert.True(s.DeriveInto(facts));
        Assert.Contains(facts, f => f.Fact == Facts.Inspection);
        var before = facts.ToList();

        var closed = new InspectionClosed(inspection, D(2023, 3, 2), "检查结束", [Home, Partner]);
        await s.ApplyAsync(null!, new Event<object>(closed) { StreamId = inspection, Sequence = 10, Version = 2 }, CancellationToken.None);
        facts.Clear();
        Assert.False(s.DeriveInto(facts));
        Assert.Equal(before, facts);

        s.Inspections = [];
        facts.Clear();
        Assert.True(s.DeriveInto(facts));
        Assert.DoesNotContain(facts, f => f.Fact == Facts.Inspection);
    }

    // The projection derives in sections over each section's own change days and keeps a section while its inputs are
    // the same objects; reads derive whole over every change day. Over random histories touching every kind of input
    // (permits through their lives, agreements, inspections with findings, rectification and disputes, the
    // institution's own reports, a closure), both must give the same facts after every event.
    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public async Task Sections_derive_the_facts_the_whole_derivation_does_after_every_event(int seed)
    {
        var random = new Random(seed);
        DateOnly Day() => D(2012, 1, 1).AddDays(random.Next(0, 15 * 365));
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
        var medical = seed % 2 == 0;
        var standing = new InstitutionStanding { Id = Home };
        var (permits, agreements, inspections) = (new List<Guid>(), new List<Guid>(), new List<Guid>());
        var findings = new List<(Guid Inspection, Guid Finding, bool Reported, bool Disputed)>();
        var sequence = 0;
        var (sectioned, whole) = (new List<StandingFact.Same>(), new List<StandingFact.Same>());
        async Task Apply(Guid stream, object data)
        {
            await standing.ApplyAsync(null!, new Event<object>(data) { StreamId = stream, Sequence = ++sequence, Version = sequence }, CancellationToken.None);
            var last = sectioned.ToList();
            sectioned.Clear();
            whole.Clear();
            var changed = standing.DeriveInto(sectioned);
            standing.DeriveInto(whole, sectioned: false);
            Assert.True(sectioned.Count == whole.Count && sectioned.ToHashSet().SetEquals(whole),
                $"seed {seed}, event {sequence} ({data.GetType().Name}): only in sections {string.Join("; ", sectioned.Except(whole))}; only whole {string.Join("; ", whole.Except(sectioned))}");
            // Unchanged (the projection then skips its reconcile) only when the facts are the last event's, in any order.
            Assert.True(changed || (sectioned.Count == last.Count && sectioned.ToHashSet().SetEquals(last)), $"seed {seed}, event {sequence} ({data.GetType().Name}): said unchanged, but the facts differ");
        }

        await Apply(Home, Registered() with { Kind = medical ? InstitutionKind.Medical : InstitutionKind.ElderlyCare, EffectiveOn = Day() });
        for (var step = 0; step < 120; step++)
        {
            var on = Day();
            switch (random.Next(14))
            {
                case 0 or 1:
                    var permit = Guid.NewGuid();
                    permits.Add(permit);
                    var type = Pick(Enum.GetValues<PermitType>());
                    await Apply(permit, random.Next(2) == 0
                        ? Filed(permit, type, on) with { ExpiresOn = random.Next(2) == 0 ? on.AddYears(random.Next(1, 6)) : null }
                        : new PermitApplicationSubmitted(permit, Home, "530111", type, PermitTypes.DepartmentOf(type), null, null, on, null, null));
                    break;
                case 2 or 3 when permits.Count > 0:
                    var p = Pick(permits);
                    await Apply(p, random.Next(7) switch
                    {
                        0 => new PermitGranted(p, on, "号", on.AddYears(random.Next(1, 6)), Home),
                        1 => new PermitRenewed(p, on, on.AddYears(random.Next(1, 6)), null, Home),
                        2 => new PermitSuspended(p, on, "停业整顿", null, Home),
                        3 => new PermitReinstated(p, on, null, Home),
                        4 => new PermitRevoked(p, on, "吊销", null, Home),
                        5 => new FilingCorrectionRequested(p, on, on.AddDays(random.Next(10, 90)), "补正", Home),
                        _ => new FilingCorrected(p, on, null, Home),
                    });
                    break;
                case 4:
                    var agreement = Guid.NewGuid();
                    agreements.Add(agreement);
                    await Apply(agreement, new PartnershipSigned(agreement, Pick(Enum.GetValues<PartnershipKind>()), [Home, Partner], [PartnershipService.EmergencyCare],
                        on, on.AddYears(random.Next(1, 4))));
                    break;
                case 5 when agreements.Count > 0:
                    var a = Pick(agreements);
                    await Apply(a, random.Next(3) == 0 ? new PartnershipTerminated(a, on, "终止", [Home, Partner]) : new PartnershipRenewed(a, on, on.AddYears(3), [Home, Partner]));
                    break;
                case 6:
                    var inspection = Guid.NewGuid();
                    inspections.Add(inspection);
                    await Apply(inspection, new InspectionOpened(inspection, Pick(Enum.GetValues<InspectionKind>()), [Home], [Department.CivilAffairs], ["王"], on));
                    break;
                case 7 when inspections.Count > 0:
                    var (i, f) = (Pick(inspections), Guid.NewGuid());
                    findings.Add((i, f, false, false));
                    await Apply(i, new FindingRecorded(i, f, Home, FindingCategory.FireSafety, Pick(Enum.GetValues<Severity>()), random.Next(0, 8), "消防通道堵塞",
                        random.Next(4) == 0 ? null : on.AddDays(random.Next(10, 120)), on, Department.CivilAffairs));
                    break;
                case 8 when findings.Count > 0:
                    var k = random.Next(findings.Count);
                    var x = findings[k];
                    if (!x.Reported) { findings[k] = x with { Reported = true }; await Apply(x.Inspection, new RectificationReported(x.Inspection, x.Finding, Home, on, "已整改")); }
                    else await Apply(x.Inspection, new RectificationVerified(x.Inspection, x.Finding, Home, Pick(Enum.GetValues<VerificationOutcome>()), on, null));
                    break;
                case 9 when findings.Count > 0:
                    var m = random.Next(findings.Count);
                    var y = findings[m];
                    if (!y.Disputed) { findings[m] = y with { Disputed = true }; await Apply(y.Inspection, new FindingDisputed(y.Inspection, y.Finding, Home, on, "异议")); }
                    else
                    {
                        var outcome = Pick(Enum.GetValues<DisputeOutcome>());
                        await Apply(y.Inspection, new DisputeDecided(y.Inspection, y.Finding, Home, outcome, outcome == DisputeOutcome.PointsChanged ? random.Next(0, 4) : null, "复核", on));
                    }
                    break;
                case 10 when inspections.Count > 0:
                    var closed = Pick(inspections);
                    await Apply(closed, new InspectionClosed(closed, on, "结束"));
                    break;
                case 11:
                    await Apply(Home, random.Next(4) switch
                    {
                        0 => new InstitutionBedsChanged(Home, new Beds(random.Next(0, 200), random.Next(0, 50), 0, 0, 0), on, null),
                        1 => new InstitutionStaffReported(Home, random.Next(0, 4), random.Next(0, 4), 10, 5, on, "年报"),
                        2 => new InstitutionOccupancyReported(Home, random.Next(0, 150), on, "月报"),
                        _ => new InstitutionServiceChanged(Home, Pick(Enum.GetValues<CareService>()), random.Next(3) > 0, on, "备案"),
                    });
                    break;
                case 12:
                    await Apply(Home, random.Next(2) == 0
                        ? new InstitutionRated(Home, medical ? RatingScheme.HospitalGrade : RatingScheme.CareHomeGrade, random.Next(1, 4), medical ? HospitalClass.A : null,
                            on, random.Next(2) == 0 ? on.AddYears(3) : null, "评审")
                        : new CareRegistry.Designations.InstitutionDesignated(Home, Pick(Enum.GetValues<CareRegistry.Designations.Programme>()), CareRegistry.Designations.DesignationLevel.City, "卫健委", on,
                            random.Next(2) == 0 ? on.AddYears(2) : null, "文件"));
                    break;
                case 13 when step > 100:
                    await Apply(Home, new InstitutionClosed(Home, on, "停办"));
                    break;
            }
        }
        Assert.True(sequence > 60);
    }
}
