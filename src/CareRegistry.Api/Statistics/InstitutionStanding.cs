using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using JasperFx.Events;
using Marten;

namespace CareRegistry.Statistics;

public record BedsPeriod(DateOnly From, Beds Beds, long Version);

// Everything the registry knows about one institution across departments — its own stream, its permits,
// inspections and agreements, each folded by the same rules as its own snapshot — and the facts currently derived
// from it. Kept by the asynchronous StandingProjection.
public sealed class InstitutionStanding
{
    public Guid Id { get; set; }
    public Institution? Institution { get; set; }
    public List<BedsPeriod> BedsHistory { get; set; } = [];
    public List<Permit> Permits { get; set; } = [];
    public List<Partnership> Partnerships { get; set; } = [];
    public List<Inspection> Inspections { get; set; } = [];
    public List<StandingFact> Live { get; set; } = [];
    public long LastSequence { get; set; }

    public async Task ApplyAsync(IQuerySession session, IEvent e, CancellationToken ct)
    {
        if (e.Data is EntryRetracted)
        {
            await RefoldAsync(session, e, ct);
            return;
        }
        if (e.StreamId == Id)
        {
            Institution = Institution.Next(Institution, e.Data);
            BedsHistory = Beds(BedsHistory, e);
        }
        else if (e.Data is PermitApplicationSubmitted or PermitFiled || Permits.Any(p => p.Id == e.StreamId))
            Permits = Replace(Permits, p => p.Id, e.StreamId, Permit.Next(Permits.FirstOrDefault(p => p.Id == e.StreamId), e.Data));
        else if (e.Data is InspectionOpened || Inspections.Any(i => i.Id == e.StreamId))
            Inspections = Replace(Inspections, i => i.Id, e.StreamId, Inspection.Next(Inspections.FirstOrDefault(i => i.Id == e.StreamId), Inspection.Read(e)));
        else if (e.Data is PartnershipSigned || Partnerships.Any(p => p.Id == e.StreamId))
            Partnerships = Replace(Partnerships, p => p.Id, e.StreamId, Partnership.Next(Partnerships.FirstOrDefault(p => p.Id == e.StreamId), e.Data));
    }

    // A correction: the stream it touches is folded again, from the events recorded before it, without what it retracts.
    private async Task RefoldAsync(IQuerySession session, IEvent retraction, CancellationToken ct)
    {
        var id = retraction.StreamId;
        if (id == Id)
        {
            var events = await session.Events.FetchStreamAsync(id, version: retraction.Version, token: ct);
            var standing = Retractions.Standing(events).ToList();
            Institution = standing.Aggregate((Institution?)null, (state, x) => Institution.Next(state, x.Data));
            BedsHistory = standing.Aggregate(new List<BedsPeriod>(), Beds);
        }
        else if (Permits.Any(p => p.Id == id))
            Permits = Replace(Permits, p => p.Id, id, await session.Events.AggregateStreamAsync<Permit>(id, version: retraction.Version, token: ct));
        else if (Inspections.Any(i => i.Id == id))
            Inspections = Replace(Inspections, i => i.Id, id, await session.Events.AggregateStreamAsync<Inspection>(id, version: retraction.Version, token: ct));
        else if (Partnerships.Any(p => p.Id == id))
            Partnerships = Replace(Partnerships, p => p.Id, id, await session.Events.AggregateStreamAsync<Partnership>(id, version: retraction.Version, token: ct));
    }

    private static List<BedsPeriod> Beds(List<BedsPeriod> history, IEvent e) => e.Data switch
    {
        InstitutionRegistered r => [new BedsPeriod(r.EffectiveOn, r.Beds, e.Version)],
        InstitutionBedsChanged b => [.. history.Append(new BedsPeriod(b.EffectiveOn, b.Beds, e.Version)).OrderBy(x => x.From).ThenBy(x => x.Version)],
        _ => history,
    };

    private static List<T> Replace<T>(List<T> items, Func<T, Guid> id, Guid streamId, T? next) where T : class
    {
        var rest = items.Where(x => id(x) != streamId);
        return next is null ? rest.ToList() : [.. rest, next];
    }

    // The alert types standing against one institution on a day, by the same rules as the alerts list (without the
    // demerit threshold, which needs the jurisdiction's setting).
    public static IReadOnlyList<string> AlertsOn(Institution institution, IEnumerable<Permit> permits, IEnumerable<Partnership> partnerships,
        IEnumerable<Inspection> inspections, DateOnly day) =>
        new InstitutionStanding { Id = institution.Id, Institution = institution, Permits = [.. permits], Partnerships = [.. partnerships], Inspections = [.. inspections] }
            .Derive(day).Where(f => f.Fact == Facts.Alert && f.ValidFrom <= day && (f.ValidTo is null || f.ValidTo > day))
            .Select(f => f.Label!).Distinct().ToList();

    // The facts that hold, derived afresh from the state above.
    // With `on`, only the facts that hold on that day are wanted: time is split at the last change day up to it
    // alone. A run's value is its value on its first change day, and every change day in a run has that value, so
    // the run that covers `on` has the value found on that last change day either way; a read of one day no longer
    // folds every day of the institution's history.
    public IReadOnlyList<StandingFact> Derive(DateOnly? on = null)
    {
        var facts = new List<StandingFact.Same>();
        DeriveInto(facts, on);
        return facts.Select(f => StandingFact.Of(Institution!.Id, f)).ToList();
    }

    // The same, as values: StandingProjection compares them with the live rows on every event and makes rows only of
    // the new ones, so the facts that still hold cost no object each.
    internal void DeriveInto(List<StandingFact.Same> facts, DateOnly? on = null)
    {
        if (Institution is not { } institution) return;
        var open = (From: institution.EstablishedOn, To: institution.ClosedOn);
        var kind = Json.Wire(institution.Kind);

        void Add(string fact, DateOnly from, DateOnly? to, string? label = null, int value = 0, string? status = null,
            string? department = null, Guid? subject = null, Guid? reference = null, DateOnly? due = null)
        {
            // Nothing holds outside the institution's life: before it was established or once it closed.
            var start = from < open.From ? open.From : from;
            var end = (to, open.To) switch { (null, var c) => c, (var t, null) => t, (var t, var c) => t < c ? t : c };
            if (end is { } e && e <= start) return;
            facts.Add(new StandingFact.Same(fact, label, status, department, subject, reference, start, end, due, value, institution.Jurisdiction, kind));
        }

        var days = ChangeDays();
        if (on is { } only) days = days.FindLastIndex(d => d <= only) is >= 0 and var last ? [days[last]] : [];
        // The grade in force (a dated hospital rating, else the registration's) splits the registration into periods.
        foreach (var run in Runs(days, d => (int?)(institution.GradeOn(d) ?? 0)))
            Add(Facts.Registered, run.From, run.To, Json.Wire(institution.Kind), run.Value);
        for (var k = 0; k < BedsHistory.Count; k++)
        {
            var (from, beds) = (BedsHistory[k].From, BedsHistory[k].Beds);
            // A later entry for the same day replaces an earlier one.
            if (k + 1 < BedsHistory.Count && BedsHistory[k + 1].From == from) continue;
            DateOnly? to = k + 1 < BedsHistory.Count ? BedsHistory[k + 1].From : null;
            foreach (var (purpose, count) in new[] { ("elderly-care", beds.ElderlyCare), ("medical", beds.Medical), ("nursing", beds.Nursing),
                         ("rehabilitation", beds.Rehabilitation), ("hospice", beds.Hospice) })
                if (count > 0) Add(Facts.Beds, from, to, purpose, count);
        }

        foreach (var p in Permits)
        {
            var type = Json.Wire(p.Type);
            var department = Json.Wire(p.Department);
            foreach (var run in Runs(days, d => p.StatusOn(d) is { } status ? (status, p.PeriodOn(d)?.ExpiresOn) : ((PermitStatus, DateOnly?)?)null))
                Add(Facts.Permit, run.From, run.To, type, status: Json.Wire(run.Value.Item1), department: department, subject: p.Id,
                    due: run.Value.Item1 == PermitStatus.CorrectionRequested ? p.PeriodOn(run.From)?.CorrectionDueOn : run.Value.Item2);
            foreach (var run in Runs(days, d => p.IsInForceOn(d) && p.PeriodOn(d)?.ExpiresOn is { } x && d >= x.AddDays(-AlertTypes.ExpiringWithinDays) ? x : (DateOnly?)null))
                Add(Facts.Alert, run.From, run.To, AlertTypes.PermitExpiring, department: department, subject: p.Id, due: run.Value);
            foreach (var run in Runs(days, d => p.StatusOn(d) == PermitStatus.Expired ? p.PeriodOn(d)?.ExpiresOn : null))
                Add(Facts.Alert, run.From, run.To, AlertTypes.PermitExpired, department: department, subject: p.Id, due: run.Value);
            foreach (var run in Runs(days, d => p.StatusOn(d) == PermitStatus.CorrectionRequested && p.PeriodOn(d)?.CorrectionDueOn is { } due && due < d ? due : (DateOnly?)null))
                Add(Facts.Alert, run.From, run.To, AlertTypes.FilingCorrectionOverdue, department: department, subject: p.Id, due: run.Value);
        }

        bool InForce(PermitType type, DateOnly d) => Permits.Any(p => p.Type == type && p.IsInForceOn(d));
        var model = Integration.Model(institution);
        foreach (var run in When(days, d => Integration.IsIntegrated(Permits, d)))
            Add(Facts.Integrated, run.From, run.To, model);
        foreach (var run in When(days, d => InForce(PermitType.ElderlyCare, d)))
            Add(Facts.CarePermit, run.From, run.To);
        foreach (var run in When(days, d => InForce(PermitType.InternalClinic, d)))
            Add(Facts.InternalClinic, run.From, run.To);
        foreach (var run in When(days, d => InForce(PermitType.MedicalPractice, d)))
            Add(Facts.MedicalLicence, run.From, run.To);
        // Programme designations; an integrated-care pilot permit (the 试点 plaque health issues) is the same designation.
        foreach (var d in institution.Designations ?? [])
            Add(Facts.Designation, d.EffectiveOn, d.ValidTo?.AddDays(1), Json.Wire(d.Programme), (int)d.Level, department: Json.Wire(Designations.Designation.Owner));
        foreach (var run in When(days, d => InForce(PermitType.IntegratedCarePilot, d)))
            Add(Facts.Designation, run.From, run.To, Json.Wire(Designations.Programme.IntegratedCarePilot), (int)Designations.DesignationLevel.City,
                department: Json.Wire(Department.Health));
        // Staff as reported, each report until the next; an integrated-care pilot (by permit or designation) must show
        // at least 2 doctors and 2 nurses — no report shows nothing, so it alerts too. Health must act.
        var staff = (institution.Staff ?? []).OrderBy(r => r.EffectiveOn).ToList();
        for (var k = 0; k < staff.Count; k++)
        {
            if (k + 1 < staff.Count && staff[k + 1].EffectiveOn == staff[k].EffectiveOn) continue;
            DateOnly? to = k + 1 < staff.Count ? staff[k + 1].EffectiveOn : null;
            foreach (var (label, count) in new[] { ("doctors", staff[k].Doctors), ("nurses", staff[k].Nurses), ("care-workers", staff[k].CareWorkers),
                         ("certified-care-workers", staff[k].CertifiedCareWorkers) })
                Add(Facts.Staff, staff[k].EffectiveOn, to, label, count);
        }
        foreach (var r in institution.Ratings ?? [])
            Add(Facts.Rating, r.EffectiveOn, r.ValidTo?.AddDays(1), Json.Wire(r.Scheme), r.Level, status: r.Class is { } c ? Json.Wire(c) : null,
                department: Json.Wire(Rating.OwnerOf(r.Scheme)));
        foreach (var run in Runs(days, d => institution.OccupancyOn(d)?.Residents))
            Add(Facts.Residents, run.From, run.To, value: run.Value, department: Json.Wire(Department.CivilAffairs));
        foreach (var group in (institution.Services ?? []).GroupBy(c => c.Service))
            foreach (var run in When(days, d => institution.ServicesOn(d).Contains(group.Key)))
                Add(Facts.Service, run.From, run.To, Json.Wire(group.Key), department: Json.Wire(CareServices.OwnerOf(group.Key)));
        bool Pilot(DateOnly d) => InForce(PermitType.IntegratedCarePilot, d)
                                  || (institution.Designations ?? []).Any(x => x.Programme == Designations.Programme.IntegratedCarePilot && x.IsInForceOn(d));
        foreach (var run in When(days, d => Pilot(d) && institution.StaffOn(d) is not { MeetsPilotRule: true }))
            Add(Facts.Alert, run.From, run.To, AlertTypes.PilotUnderstaffed, department: Json.Wire(Department.Health), due: run.From);
        foreach (var run in When(days, d => InForce(PermitType.InsuranceDesignation, d)))
            Add(Facts.Designated, run.From, run.To);
        foreach (var run in When(days, d => Integration.IsIntegrated(Permits, d) && !InForce(PermitType.InsuranceDesignation, d)))
            Add(Facts.Alert, run.From, run.To, AlertTypes.IntegratedWithoutInsurance, department: Json.Wire(Department.MedicalInsurance), due: run.From);

        foreach (var run in When(days, d => Partnerships.Any(p => p.IsActiveOn(d))))
            Add(Facts.Partnered, run.From, run.To);
        foreach (var run in When(days, d => Partnerships.Any(p => p.Kind == PartnershipKind.CareMedical && p.IsActiveOn(d))))
            Add(Facts.CarePartnered, run.From, run.To);
        foreach (var run in When(days, d => Partnerships.Any(p => p.Kind == PartnershipKind.Referral && p.IsActiveOn(d))))
            Add(Facts.ReferralPartnered, run.From, run.To);
        // The alert concerns exactly the care institutions the table counts: not a medical one, an elderly-care permit in force.
        if (institution.Kind != InstitutionKind.Medical)
            foreach (var run in When(days, d => InForce(PermitType.ElderlyCare, d) && !Partnerships.Any(p => p.IsActiveOn(d))))
                Add(Facts.Alert, run.From, run.To, AlertTypes.CareHomeWithoutPartnership, department: Json.Wire(Department.CivilAffairs), due: run.From);

        var findings = new List<Finding>();
        foreach (var inspection in Inspections)
        {
            Add(Facts.Inspection, inspection.OpenedOn, null, Json.Wire(inspection.Kind), subject: inspection.Id);
            foreach (var f in inspection.Findings.Where(f => f.InstitutionId == Id))
            {
                findings.Add(f);
                // With its rectification deadline: the work queue's "due this week" picks findings by it (StandingFact.DueOn).
                Add(Facts.Finding, f.FoundOn, f.OverturnedOn, Json.Wire(f.Severity), f.DemeritPoints, department: Json.Wire(inspection.DepartmentOf(f)),
                    subject: f.Id, reference: inspection.Id, due: f.RectificationDue);
                foreach (var run in Runs(days, d => f.IsOverdueOn(d) ? f.RectificationDue : null))
                    Add(Facts.Alert, run.From, run.To, AlertTypes.RectificationOverdue, department: Json.Wire(inspection.DepartmentOf(f)),
                        subject: f.Id, reference: inspection.Id, due: run.Value);
                foreach (var run in Runs(days, d => f.AwaitsVerificationOn(d) ? f.RectificationDue : null))
                    Add(Facts.Alert, run.From, run.To, AlertTypes.VerificationPending, department: Json.Wire(inspection.DepartmentOf(f)),
                        subject: f.Id, reference: inspection.Id, due: run.Value);
            }
        }
        foreach (var run in Runs(days, d => Supervision.DemeritPointsOn(findings, d) is > 0 and var points ? points : (int?)null))
            Add(Facts.Demerit, run.From, run.To, value: run.Value);
    }

    // Every day on which something about this institution may change; between two of them nothing does.
    private List<DateOnly> ChangeDays()
    {
        var days = new SortedSet<DateOnly>();
        if (Institution is { } i)
        {
            days.Add(i.EstablishedOn);
            if (i.ClosedOn is { } c) days.Add(c);
            foreach (var s in i.Staff ?? []) days.Add(s.EffectiveOn);
            foreach (var change in i.Services ?? []) days.Add(change.EffectiveOn);
            foreach (var o in i.Occupancy ?? []) days.Add(o.EffectiveOn);
            foreach (var r in i.Ratings ?? []) { days.Add(r.EffectiveOn); if (r.ValidTo is { } to) days.Add(to.AddDays(1)); }
            foreach (var d in i.Designations ?? []) { days.Add(d.EffectiveOn); if (d.ValidTo is { } to) days.Add(to.AddDays(1)); }
        }
        foreach (var p in Permits)
        {
            days.Add(p.SubmittedOn);
            foreach (var period in p.Periods)
            {
                days.Add(period.From);
                if (period.ExpiresOn is { } x) { days.Add(x.AddDays(1)); days.Add(x.AddDays(-AlertTypes.ExpiringWithinDays)); }
            }
            foreach (var period in p.Periods) if (period.CorrectionDueOn is { } due) days.Add(due.AddDays(1));
        }
        foreach (var p in Partnerships)
        {
            days.Add(p.ValidFrom);
            foreach (var v in p.Validity) { days.Add(v.On); days.Add(v.ValidTo.AddDays(1)); }
            if (p.TerminatedOn is { } t) days.Add(t);
        }
        foreach (var f in Inspections.SelectMany(x => x.Findings).Where(f => f.InstitutionId == Id))
        {
            days.Add(f.FoundOn);
            days.Add(f.FoundOn.AddYears(1));
            if (f.RectificationDue is { } due) days.Add(due.AddDays(1));
            foreach (var step in f.Rectification) days.Add(step.On);
            foreach (var change in f.PointChanges) days.Add(change.On);
            if (f.OverturnedOn is { } o) days.Add(o);
        }
        return [.. days];
    }

    // Splits time at the change days into runs of equal value; null values hold nothing.
    private static IEnumerable<(DateOnly From, DateOnly? To, T Value)> Runs<T>(List<DateOnly> days, Func<DateOnly, T?> valueOn) where T : struct
    {
        (DateOnly From, T Value)? current = null;
        foreach (var day in days)
        {
            var value = valueOn(day);
            if (current is { } c && value is { } same && EqualityComparer<T>.Default.Equals(c.Value, same)) continue;
            if (current is { } done) yield return (done.From, day, done.Value);
            current = value is { } v ? (day, v) : null;
        }
        if (current is { } last) yield return (last.From, null, last.Value);
    }

    private static IEnumerable<(DateOnly From, DateOnly? To, bool Value)> When(List<DateOnly> days, Func<DateOnly, bool> holds) =>
        Runs(days, d => holds(d) ? true : (bool?)null);
}
