using CareRegistry.Common;

namespace CareRegistry.Permits;

// What opened a period: a decision on an application and a conversion to a filing settle an application, and only
// one of them can (see With(PendingApplicationConvertedToFiling)).
public enum PeriodCause { Step, Decision, Conversion }

// One status interval: from this date (until the next one), with the expiry then in force.
public record PermitPeriod(DateOnly From, PermitStatus Status, DateOnly? ExpiresOn, int Ordinal, DateOnly? CorrectionDueOn = null,
    PeriodCause Cause = PeriodCause.Step);

// A permit keeps its life as effective-dated periods, so its status on any day is read off the document without
// replaying events; expiry is a fact of the date, so no job has to run for a permit to show as expired.
public record Permit(
    Guid Id,
    Guid InstitutionId,
    string Jurisdiction,
    PermitType Type,
    Department Department,
    Regime Regime,
    string? Number,
    string? Scope,
    DateOnly SubmittedOn,
    DateOnly? CorrectionDueOn,
    IReadOnlyList<PermitPeriod> Periods,
    PermitStatus LatestStatus,
    long Version,
    DateOnly? ConvertedOn = null,
    string? ConversionBasis = null)
{
    // A loop, not LastOrDefault with a lambda: the standing's fold asks it for every change day of every permit, and
    // each call's closure was garbage (docs/performance-log.md, the thirty-fifth stop).
    public PermitPeriod? PeriodOn(DateOnly day)
    {
        for (var k = Periods.Count - 1; k >= 0; k--)
            if (Periods[k].From <= day) return Periods[k];
        return null;
    }

    // Null before the permit was submitted.
    public PermitStatus? StatusOn(DateOnly day) => PeriodOn(day) switch
    {
        null => null,
        { ExpiresOn: { } expires, Status: PermitStatus.Active or PermitStatus.CorrectionRequested or PermitStatus.Suspended } when expires < day
            => PermitStatus.Expired,
        var p => p.Status,
    };

    public bool IsInForceOn(DateOnly day) => StatusOn(day) is { } s && PermitTypes.IsInForce(s);

    // Recording order, as Marten appends; a retraction folds the stream again without the retracted entry.
    public static Permit? Next(Permit? state, object @event) => (state, @event) switch
    {
        (_, PermitApplicationSubmitted e) => Begin(e),
        (_, PermitFiled e) => Begin(e),
        ({ } p, PermitGranted e) => p.With(e),
        ({ } p, PermitRefused e) => p.With(e),
        ({ } p, PermitRenewed e) => p.With(e),
        ({ } p, PermitSuspended e) => p.With(e),
        ({ } p, PermitReinstated e) => p.With(e),
        ({ } p, PermitRevoked e) => p.With(e),
        ({ } p, FilingCorrectionRequested e) => p.With(e),
        ({ } p, FilingCorrected e) => p.With(e),
        ({ } p, FilingCancelled e) => p.With(e),
        ({ } p, PendingApplicationConvertedToFiling e) => p.With(e),
        _ => state,
    };

    public static Permit Begin(PermitApplicationSubmitted e) => Start(e.PermitId, e.InstitutionId, e.Jurisdiction, e.Type,
        e.Department, Regime.Approval, e.Number, e.Scope, e.EffectiveOn, e.ExpiresOn, PermitStatus.Pending);

    public static Permit Begin(PermitFiled e) => Start(e.PermitId, e.InstitutionId, e.Jurisdiction, e.Type,
        e.Department, Regime.Filing, e.Number, e.Scope, e.EffectiveOn, e.ExpiresOn, PermitStatus.Active);

    private static Permit Start(Guid id, Guid institutionId, string jurisdiction, PermitType type, Department department,
        Regime regime, string? number, string? scope, DateOnly on, DateOnly? expiresOn, PermitStatus status) =>
        new(id, institutionId, jurisdiction, type, department, regime, number, scope, on, null,
            [new PermitPeriod(on, status, expiresOn, 1)], status, 1);

    public Permit With(PermitGranted e) => Decided(e.EffectiveOn) is { } p
        ? p.With(e.EffectiveOn, PermitStatus.Active, e.ExpiresOn, cause: PeriodCause.Decision) with { Number = e.Number ?? Number }
        : this;
    public Permit With(PermitRefused e) => Decided(e.EffectiveOn) is { } p ? p.With(e.EffectiveOn, PermitStatus.Refused, cause: PeriodCause.Decision) : this;
    public Permit With(PermitRenewed e) => With(e.EffectiveOn, PermitStatus.Active, e.ExpiresOn);
    public Permit With(PermitSuspended e) => With(e.EffectiveOn, PermitStatus.Suspended);
    public Permit With(PermitReinstated e) => With(e.EffectiveOn, PermitStatus.Active);
    public Permit With(PermitRevoked e) => With(e.EffectiveOn, PermitStatus.Revoked);
    public Permit With(FilingCorrectionRequested e) => With(e.EffectiveOn, PermitStatus.CorrectionRequested, correctionDueOn: e.DueOn) with { CorrectionDueOn = e.DueOn };
    public Permit With(FilingCorrected e) => With(e.EffectiveOn, PermitStatus.Active) with { CorrectionDueOn = null };
    public Permit With(FilingCancelled e) => With(e.EffectiveOn, PermitStatus.Cancelled);

    // Whichever was recorded first, an application is settled once: by a decision before the conversion date, or by
    // the conversion. A conversion recorded after a decision it predates sets that decision aside (the application
    // was still pending on the change's date); one recorded after a decision dated before it does not apply.
    public Permit With(PendingApplicationConvertedToFiling e)
    {
        if (Periods.Any(p => p.Cause == PeriodCause.Decision && p.From < e.EffectiveOn)) return this;
        var settled = Reperiod(Periods.Where(p => !(p.Cause == PeriodCause.Decision && p.From >= e.EffectiveOn)));
        return settled.With(e.EffectiveOn, PermitStatus.Active, cause: PeriodCause.Conversion)
            with { Regime = Regime.Filing, ConvertedOn = e.EffectiveOn, ConversionBasis = e.Basis };
    }

    // The permit a decision dated on this day applies to: none once converted by then; before the conversion date,
    // the application as it was, not converted (the decision settled it first).
    private Permit? Decided(DateOnly on) => ConvertedOn switch
    {
        null => this,
        { } converted when on >= converted => null,
        _ => Reperiod(Periods.Where(p => p.Cause != PeriodCause.Conversion)) with { Regime = Regime.Approval, ConvertedOn = null, ConversionBasis = null },
    };

    // A new period from this date; a late entry is placed in date order, and the expiry in force then carries on.
    private Permit With(DateOnly from, PermitStatus status, DateOnly? newExpiry = null, DateOnly? correctionDueOn = null, PeriodCause cause = PeriodCause.Step)
    {
        var expiry = newExpiry ?? PeriodOn(from)?.ExpiresOn;
        return Reperiod(Periods.Append(new PermitPeriod(from, status, expiry, Periods.Max(p => p.Ordinal) + 1, correctionDueOn, cause)));
    }

    private Permit Reperiod(IEnumerable<PermitPeriod> periods)
    {
        var ordered = periods.OrderBy(p => p.From).ThenBy(p => p.Ordinal).ToList();
        return this with { Periods = ordered, LatestStatus = ordered[^1].Status };
    }
}
