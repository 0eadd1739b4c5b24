using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using System.Text.Json.Serialization;
using JasperFx.Events;
using Marten;

namespace CareRegistry.Statistics;

public record BedsPeriod(DateOnly From, Beds Beds, long Version);

// Everything the registry knows about one institution across departments — its own stream, its permits,
// inspections and agreements, each folded by the same rules as its own snapshot — and the facts currently derived
// from it. Kept by the asynchronous StandingProjection.
public sealed class InstitutionStanding : IJsonOnDeserialized
{
    public Guid Id { get; set; }
    public Institution? Institution { get; set; }
    public List<BedsPeriod> BedsHistory { get; set; } = [];
    public List<Permit> Permits { get; set; } = [];
    public List<Partnership> Partnerships { get; set; } = [];
    public List<Inspection> Inspections { get; set; } = [];
    // Stored compactly (LiveFacts): without the institution, and without the ids IdOf gives back.
    [JsonConverter(typeof(LiveFacts))]
    public List<StandingFact> Live { get; set; } = [];
    public long LastSequence { get; set; }

    void IJsonOnDeserialized.OnDeserialized() => LiveFacts.Restore(this);

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
        {
            var kept = Inspections.FirstOrDefault(i => i.Id == e.StreamId);
            var next = Kept(Inspection.Next(kept, Inspection.Read(e)));
            // What the standing keeps of it is unchanged (its closing, as kept): the same object stays, so its sections
            // are not derived again and the step has nothing to reconcile (a joint inspection's closing concerns up to
            // eight institutions).
            if (kept is null || next != kept) Inspections = Replace(Inspections, i => i.Id, e.StreamId, next);
        }
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
            Inspections = Replace(Inspections, i => i.Id, id, Kept(await session.Events.AggregateStreamAsync<Inspection>(id, version: retraction.Version, token: ct)));
        else if (Partnerships.Any(p => p.Id == id))
            Partnerships = Replace(Partnerships, p => p.Id, id, await session.Events.AggregateStreamAsync<Partnership>(id, version: retraction.Version, token: ct));
    }

    // What a standing keeps of an inspection: what its facts are derived from (DeriveInto), not the institutions
    // inspected with it, its inspectors, its summary or its closing. A cluster's inspection names all eight of its
    // institutions, and those ids were a fifth of a standing's JSON (full 38's data: 3.3 of 16.8 kB; 5.1 -> 4.4 kB stored).
    private static Inspection? Kept(Inspection? inspection) =>
        inspection is null ? null : inspection with { InstitutionIds = [], Inspectors = [], Summary = null, ClosedOn = null };

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
        DeriveInto(facts, on, sectioned: false);
        return facts.Select(f => StandingFact.Of(Institution!.Id, f)).ToList();
    }

    // The same, as values, for StandingProjection, which compares them with the live rows after every event: in
    // sections, each over only the days its own inputs change on and kept with the inputs it came from, so an event
    // derives again only the sections whose inputs it replaced (a finding its inspection's section and the demerit
    // points, a permit's event that permit and the sections over all permits). The state is immutable (Next returns a
    // new record, Replace a new list), so "the same inputs" is "the same objects". Deriving everything over every
    // change day on every event was most of a rebuild's time. Runs merge equal values, so a section split at only
    // its own change days gives the very runs it gives split at all of them (the fold test compares both on every
    // event).
    // True when the facts may differ from the last call's: a section was derived again, or the sections are not the same
    // ones (an inspection retracted, a permit added). False means the last call's facts, perhaps in another order (an
    // inspection's event moves it to the end of the list), so the projection has nothing to reconcile.
    internal bool DeriveInto(List<StandingFact.Same> facts, DateOnly? on = null, bool sectioned = true)
    {
        if (Institution is not { } institution)
        {
            _emitted?.Clear();
            return true;
        }
        sectioned &= on is null;
        var changed = !sectioned;
        if (sectioned)
        {
            _emitted ??= [];
            (_emitting ??= []).Clear();
            (_fresh ??= []).Clear();
        }
        var frame = new Frame(institution.EstablishedOn, institution.ClosedOn, institution.Jurisdiction, Json.Wire(institution.Kind));
        List<DateOnly>? all = null;
        if (!sectioned)
        {
            all = Days(set => { AddInstitutionDays(set); foreach (var p in Permits) AddPermitDays(set, p); AddPartnershipDays(set);
                                foreach (var f in OwnFindings()) AddFindingDays(set, f); });
            if (on is { } only) all = all.FindLastIndex(d => d <= only) is >= 0 and var last ? [all[last]] : [];
        }
        // A section's days: all of them when not sectioned.
        List<DateOnly> DaysOf(Action<List<DateOnly>> add) => all ?? Days(add);

        void Add(List<StandingFact.Same> into, string fact, DateOnly from, DateOnly? to, string? label = null, int value = 0, string? status = null,
            string? department = null, Guid? subject = null, Guid? reference = null, DateOnly? due = null)
        {
            // Nothing holds outside the institution's life: before it was established or once it closed.
            var start = from < frame.EstablishedOn ? frame.EstablishedOn : from;
            var end = (to, frame.ClosedOn) switch { (null, var c) => c, (var t, null) => t, (var t, var c) => t < c ? t : c };
            if (end is { } e && e <= start) return;
            into.Add(new StandingFact.Same(fact, label, status, department, subject, reference, start, end, due, value, frame.Jurisdiction, frame.Kind));
        }

        // Where a section's facts go, or null when its inputs are the very ones it was last derived from (its kept facts
        // are taken as they are). Each section below derives only when given a list: no delegate, closure or array is
        // made for a section that is kept, which most are on most events (those and the boxed keys and frames were about
        // a seventh of a rebuild's allocations: docs/performance-log.md, the thirty-fifth stop).
        List<StandingFact.Same>? Section(SectionKey key, Inputs inputs)
        {
            if (!sectioned) return facts;
            _sections ??= [];
            _emitting!.Add(key);
            var known = _sections.TryGetValue(key, out var kept);
            if (known && kept.Inputs.Same(inputs)) { facts.AddRange(kept.Facts); return null; }
            changed = true;
            // As many as it held: a section derived again mostly holds as many facts as before, and growing the list
            // from empty made arrays of these large values several times over.
            var own = new List<StandingFact.Same>(known ? kept.Facts.Count : 0);
            _sections[key] = (inputs, own);
            _fresh!.Add(own);
            return own;
        }

        bool InForce(PermitType type, DateOnly d) => Permits.Any(p => p.Type == type && p.IsInForceOn(d));

        // The institution's own record: registration and grade, beds, designations, staff, ratings, residents, services.
        if (Section(new(nameof(Institution)), new(institution, BedsHistory)) is { } record)
        {
            var days = DaysOf(AddInstitutionDays);
            // The grade in force (a dated hospital rating, else the registration's) splits the registration into periods.
            foreach (var run in Runs(days, d => (int?)(institution.GradeOn(d) ?? 0)))
                Add(record, Facts.Registered, run.From, run.To, frame.Kind, run.Value);
            for (var k = 0; k < BedsHistory.Count; k++)
            {
                var (from, beds) = (BedsHistory[k].From, BedsHistory[k].Beds);
                // A later entry for the same day replaces an earlier one.
                if (k + 1 < BedsHistory.Count && BedsHistory[k + 1].From == from) continue;
                DateOnly? to = k + 1 < BedsHistory.Count ? BedsHistory[k + 1].From : null;
                foreach (var (purpose, count) in new[] { ("elderly-care", beds.ElderlyCare), ("medical", beds.Medical), ("nursing", beds.Nursing),
                             ("rehabilitation", beds.Rehabilitation), ("hospice", beds.Hospice) })
                    if (count > 0) Add(record, Facts.Beds, from, to, purpose, count);
            }
            // Programme designations (an integrated-care pilot permit is the same designation: below, with the permits).
            foreach (var d in institution.Designations ?? [])
                Add(record, Facts.Designation, d.EffectiveOn, d.ValidTo?.AddDays(1), Json.Wire(d.Programme), (int)d.Level, department: Json.Wire(Designations.Designation.Owner));
            // Staff as reported, each report until the next.
            var staff = (institution.Staff ?? []).OrderBy(r => r.EffectiveOn).ToList();
            for (var k = 0; k < staff.Count; k++)
            {
                if (k + 1 < staff.Count && staff[k + 1].EffectiveOn == staff[k].EffectiveOn) continue;
                DateOnly? to = k + 1 < staff.Count ? staff[k + 1].EffectiveOn : null;
                foreach (var (label, count) in new[] { ("doctors", staff[k].Doctors), ("nurses", staff[k].Nurses), ("care-workers", staff[k].CareWorkers),
                             ("certified-care-workers", staff[k].CertifiedCareWorkers) })
                    Add(record, Facts.Staff, staff[k].EffectiveOn, to, label, count);
            }
            foreach (var r in institution.Ratings ?? [])
                Add(record, Facts.Rating, r.EffectiveOn, r.ValidTo?.AddDays(1), Json.Wire(r.Scheme), r.Level, status: r.Class is { } c ? Json.Wire(c) : null,
                    department: Json.Wire(Rating.OwnerOf(r.Scheme)));
            foreach (var run in Runs(days, d => institution.OccupancyOn(d)?.Residents))
                Add(record, Facts.Residents, run.From, run.To, value: run.Value, department: Json.Wire(Department.CivilAffairs));
            foreach (var group in (institution.Services ?? []).GroupBy(c => c.Service))
                foreach (var run in When(days, d => institution.ServicesOn(d).Contains(group.Key)))
                    Add(record, Facts.Service, run.From, run.To, Json.Wire(group.Key), department: Json.Wire(CareServices.OwnerOf(group.Key)));
        }

        foreach (var p in Permits)
            if (Section(new(nameof(Permit), p.Id), new(p, frame: frame)) is { } section)
                PermitFacts(section, p);

        // One permit's own facts: its status and its alerts (a local function, so that the closures over the permit
        // are made only when it derives).
        void PermitFacts(List<StandingFact.Same> into, Permit p)
        {
            var days = DaysOf(set => AddPermitDays(set, p));
            var type = Json.Wire(p.Type);
            var department = Json.Wire(p.Department);
            foreach (var run in Runs(days, d => p.StatusOn(d) is { } status ? (status, p.PeriodOn(d)?.ExpiresOn) : ((PermitStatus, DateOnly?)?)null))
                Add(into, Facts.Permit, run.From, run.To, type, status: Json.Wire(run.Value.Item1), department: department, subject: p.Id,
                    due: run.Value.Item1 == PermitStatus.CorrectionRequested ? p.PeriodOn(run.From)?.CorrectionDueOn : run.Value.Item2);
            foreach (var run in Runs(days, d => p.IsInForceOn(d) && p.PeriodOn(d)?.ExpiresOn is { } x && d >= x.AddDays(-AlertTypes.ExpiringWithinDays) ? x : (DateOnly?)null))
                Add(into, Facts.Alert, run.From, run.To, AlertTypes.PermitExpiring, department: department, subject: p.Id, due: run.Value);
            foreach (var run in Runs(days, d => p.StatusOn(d) == PermitStatus.Expired ? p.PeriodOn(d)?.ExpiresOn : null))
                Add(into, Facts.Alert, run.From, run.To, AlertTypes.PermitExpired, department: department, subject: p.Id, due: run.Value);
            foreach (var run in Runs(days, d => p.StatusOn(d) == PermitStatus.CorrectionRequested && p.PeriodOn(d)?.CorrectionDueOn is { } due && due < d ? due : (DateOnly?)null))
                Add(into, Facts.Alert, run.From, run.To, AlertTypes.FilingCorrectionOverdue, department: department, subject: p.Id, due: run.Value);
        }

        // What the permits in force together say.
        if (Section(new(nameof(Permits)), new(Permits, frame: frame)) is { } together)
        {
            var days = DaysOf(set => { foreach (var p in Permits) AddPermitDays(set, p); });
            var model = Integration.Model(institution);
            foreach (var run in When(days, d => Integration.IsIntegrated(Permits, d)))
                Add(together, Facts.Integrated, run.From, run.To, model);
            foreach (var run in When(days, d => InForce(PermitType.ElderlyCare, d)))
                Add(together, Facts.CarePermit, run.From, run.To);
            foreach (var run in When(days, d => InForce(PermitType.InternalClinic, d)))
                Add(together, Facts.InternalClinic, run.From, run.To);
            foreach (var run in When(days, d => InForce(PermitType.MedicalPractice, d)))
                Add(together, Facts.MedicalLicence, run.From, run.To);
            // An integrated-care pilot permit (the 试点 plaque health issues) is the programme's designation.
            foreach (var run in When(days, d => InForce(PermitType.IntegratedCarePilot, d)))
                Add(together, Facts.Designation, run.From, run.To, Json.Wire(Designations.Programme.IntegratedCarePilot), (int)Designations.DesignationLevel.City,
                    department: Json.Wire(Department.Health));
            foreach (var run in When(days, d => InForce(PermitType.InsuranceDesignation, d)))
                Add(together, Facts.Designated, run.From, run.To);
            foreach (var run in When(days, d => Integration.IsIntegrated(Permits, d) && !InForce(PermitType.InsuranceDesignation, d)))
                Add(together, Facts.Alert, run.From, run.To, AlertTypes.IntegratedWithoutInsurance, department: Json.Wire(Department.MedicalInsurance), due: run.From);
        }

        // An integrated-care pilot (by permit or designation) must show at least 2 doctors and 2 nurses — no report
        // shows nothing, so it alerts too. Health must act.
        if (Section(new("pilot"), new(Permits, institution)) is { } pilot)
        {
            var days = DaysOf(set => { AddInstitutionDays(set); foreach (var p in Permits) AddPermitDays(set, p); });
            bool Pilot(DateOnly d) => InForce(PermitType.IntegratedCarePilot, d)
                                      || (institution.Designations ?? []).Any(x => x.Programme == Designations.Programme.IntegratedCarePilot && x.IsInForceOn(d));
            foreach (var run in When(days, d => Pilot(d) && institution.StaffOn(d) is not { MeetsPilotRule: true }))
                Add(pilot, Facts.Alert, run.From, run.To, AlertTypes.PilotUnderstaffed, department: Json.Wire(Department.Health), due: run.From);
        }

        if (Section(new(nameof(Partnerships)), new(Partnerships, frame: frame)) is { } partnered)
        {
            var days = DaysOf(AddPartnershipDays);
            foreach (var run in When(days, d => Partnerships.Any(p => p.IsActiveOn(d))))
                Add(partnered, Facts.Partnered, run.From, run.To);
            foreach (var run in When(days, d => Partnerships.Any(p => p.Kind == PartnershipKind.CareMedical && p.IsActiveOn(d))))
                Add(partnered, Facts.CarePartnered, run.From, run.To);
            foreach (var run in When(days, d => Partnerships.Any(p => p.Kind == PartnershipKind.Referral && p.IsActiveOn(d))))
                Add(partnered, Facts.ReferralPartnered, run.From, run.To);
        }
        // The alert concerns exactly the care institutions the table counts: not a medical one, an elderly-care permit in force.
        if (institution.Kind != InstitutionKind.Medical && Section(new("care-home"), new(Permits, Partnerships, frame)) is { } careHome)
        {
            var days = DaysOf(set => { foreach (var p in Permits) AddPermitDays(set, p); AddPartnershipDays(set); });
            foreach (var run in When(days, d => InForce(PermitType.ElderlyCare, d) && !Partnerships.Any(p => p.IsActiveOn(d))))
                Add(careHome, Facts.Alert, run.From, run.To, AlertTypes.CareHomeWithoutPartnership, department: Json.Wire(Department.CivilAffairs), due: run.From);
        }

        foreach (var inspection in Inspections)
            if (Section(new(nameof(Inspection), inspection.Id), new(inspection, frame: frame)) is { } section)
                InspectionFacts(section, inspection);

        // One inspection's facts and those of the institution's own findings in it (a local function, as PermitFacts).
        void InspectionFacts(List<StandingFact.Same> into, Inspection inspection)
        {
            Add(into, Facts.Inspection, inspection.OpenedOn, null, Json.Wire(inspection.Kind), subject: inspection.Id);
            foreach (var f in inspection.Findings)
            {
                if (f.InstitutionId != Id) continue;
                var days = DaysOf(set => AddFindingDays(set, f));
                var department = Json.Wire(inspection.DepartmentOf(f));
                // With its rectification deadline: the work queue's "due this week" picks findings by it (StandingFact.DueOn).
                Add(into, Facts.Finding, f.FoundOn, f.OverturnedOn, Json.Wire(f.Severity), f.DemeritPoints, department: department,
                    subject: f.Id, reference: inspection.Id, due: f.RectificationDue);
                foreach (var run in Runs(days, d => f.IsOverdueOn(d) ? f.RectificationDue : null))
                    Add(into, Facts.Alert, run.From, run.To, AlertTypes.RectificationOverdue, department: department,
                        subject: f.Id, reference: inspection.Id, due: run.Value);
                foreach (var run in Runs(days, d => f.AwaitsVerificationOn(d) ? f.RectificationDue : null))
                    Add(into, Facts.Alert, run.From, run.To, AlertTypes.VerificationPending, department: department,
                        subject: f.Id, reference: inspection.Id, due: run.Value);
            }
        }

        if (Section(new("demerit"), new(Inspections, frame: frame)) is { } demerit)
        {
            var findings = OwnFindings().ToList();
            var days = DaysOf(set => { foreach (var f in findings) AddFindingDays(set, f); });
            foreach (var run in Runs(days, d => Supervision.DemeritPointsOn(findings, d) is > 0 and var points ? points : (int?)null))
                Add(demerit, Facts.Demerit, run.From, run.To, value: run.Value);
        }
        if (sectioned)
        {
            // The sections derived afresh, once derived (those kept went in as they were met).
            foreach (var fresh in _fresh!) facts.AddRange(fresh);
            changed |= !_emitting!.SetEquals(_emitted!);
            (_emitted, _emitting) = (_emitting, _emitted);
        }
        return changed;
    }

    // What every fact of an institution carries from its registration, and its life (nothing holds outside it).
    private readonly record struct Frame(DateOnly EstablishedOn, DateOnly? ClosedOn, string Jurisdiction, string Kind);

    // A section by name, and for one of several (a permit, an inspection) by its id.
    private readonly record struct SectionKey(string Name, Guid Id = default);

    // What a section is derived from: the state's objects, compared by reference (the state is immutable, so the same
    // object is the same input), and the frame, by value.
    private readonly struct Inputs(object? a, object? b = null, Frame? frame = null)
    {
        private readonly object? _a = a, _b = b;
        private readonly Frame? _frame = frame;

        public bool Same(Inputs other) => ReferenceEquals(_a, other._a) && ReferenceEquals(_b, other._b) && _frame == other._frame;
    }

    // Each section's facts with the inputs they were derived from; rebuilt with the standing (never stored).
    private Dictionary<SectionKey, (Inputs Inputs, List<StandingFact.Same> Facts)>? _sections;

    // The sections the last derivation went through, and those of the one under way; the lists derived afresh in it.
    private HashSet<SectionKey>? _emitted, _emitting;
    private List<List<StandingFact.Same>>? _fresh;

    private IEnumerable<Finding> OwnFindings() => Inspections.SelectMany(x => x.Findings).Where(f => f.InstitutionId == Id);

    // The days added, in order, each once: collected in a list and sorted, not in a sorted set (a node per day, and
    // the demerit section collects every finding's days after each inspection event).
    private static List<DateOnly> Days(Action<List<DateOnly>> add)
    {
        var days = new List<DateOnly>();
        add(days);
        days.Sort();
        var distinct = 0;
        for (var k = 0; k < days.Count; k++)
            if (distinct == 0 || days[k] != days[distinct - 1]) days[distinct++] = days[k];
        days.RemoveRange(distinct, days.Count - distinct);
        return days;
    }

    // The days on which something may change, by what changes on them; between two of them nothing does.
    private void AddInstitutionDays(List<DateOnly> days)
    {
        if (Institution is not { } i) return;
        days.Add(i.EstablishedOn);
        if (i.ClosedOn is { } c) days.Add(c);
        foreach (var s in i.Staff ?? []) days.Add(s.EffectiveOn);
        foreach (var change in i.Services ?? []) days.Add(change.EffectiveOn);
        foreach (var o in i.Occupancy ?? []) days.Add(o.EffectiveOn);
        foreach (var r in i.Ratings ?? []) { days.Add(r.EffectiveOn); if (r.ValidTo is { } to) days.Add(to.AddDays(1)); }
        foreach (var d in i.Designations ?? []) { days.Add(d.EffectiveOn); if (d.ValidTo is { } to) days.Add(to.AddDays(1)); }
    }

    private static void AddPermitDays(List<DateOnly> days, Permit p)
    {
        days.Add(p.SubmittedOn);
        foreach (var period in p.Periods)
        {
            days.Add(period.From);
            if (period.ExpiresOn is { } x) { days.Add(x.AddDays(1)); days.Add(x.AddDays(-AlertTypes.ExpiringWithinDays)); }
            if (period.CorrectionDueOn is { } due) days.Add(due.AddDays(1));
        }
    }

    private void AddPartnershipDays(List<DateOnly> days)
    {
        foreach (var p in Partnerships)
        {
            days.Add(p.ValidFrom);
            for (var k = 0; k < p.Validity.Count; k++) { days.Add(p.Validity[k].On); days.Add(p.Validity[k].ValidTo.AddDays(1)); }
            if (p.TerminatedOn is { } t) days.Add(t);
        }
    }

    private static void AddFindingDays(List<DateOnly> days, Finding f)
    {
        days.Add(f.FoundOn);
        days.Add(f.FoundOn.AddYears(1));
        if (f.RectificationDue is { } due) days.Add(due.AddDays(1));
        // Index loops: a foreach over the interface makes an enumerator object, for every finding on every derivation.
        for (var k = 0; k < f.Rectification.Count; k++) days.Add(f.Rectification[k].On);
        for (var k = 0; k < f.PointChanges.Count; k++) days.Add(f.PointChanges[k].On);
        if (f.OverturnedOn is { } o) days.Add(o);
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
