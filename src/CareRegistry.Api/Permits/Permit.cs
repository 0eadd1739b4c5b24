using CareRegistry.Common;

namespace CareRegistry.Permits;

// One status interval: from this date (until the next one), with the expiry then in force.
public record PermitPeriod(DateOnly From, PermitStatus Status, DateOnly? ExpiresOn, int Ordinal, DateOnly? CorrectionDueOn = null);

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
    long Version)
{
    public PermitPeriod? PeriodOn(DateOnly day) => Periods.LastOrDefault(p => p.From <= day);

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

    public Permit With(PermitGranted e) => With(e.EffectiveOn, PermitStatus.Active, e.ExpiresOn) with { Number = e.Number ?? Number };
    public Permit With(PermitRefused e) => With(e.EffectiveOn, PermitStatus.Refused);
    public Permit With(PermitRenewed e) => With(e.EffectiveOn, PermitStatus.Active, e.ExpiresOn);
    public Permit With(PermitSuspended e) => With(e.EffectiveOn, PermitStatus.Suspended);
    public Permit With(PermitReinstated e) => With(e.EffectiveOn, PermitStatus.Active);
    public Permit With(PermitRevoked e) => With(e.EffectiveOn, PermitStatus.Revoked);
    public Permit With(FilingCorrectionRequested e) => With(e.EffectiveOn, PermitStatus.CorrectionRequested, correctionDueOn: e.DueOn) with { CorrectionDueOn = e.DueOn };
    public Permit With(FilingCorrected e) => With(e.EffectiveOn, PermitStatus.Active) with { CorrectionDueOn = null };
    public Permit With(FilingCancelled e) => With(e.EffectiveOn, PermitStatus.Cancelled);
    public Permit With(PendingApplicationConvertedToFiling e) => With(e.EffectiveOn, PermitStatus.Active) with { Regime = Regime.Filing };

    // A new period from this date; a late entry is placed in date order, and the expiry in force then carries on.
    private Permit With(DateOnly from, PermitStatus status, DateOnly? newExpiry = null, DateOnly? correctionDueOn = null)
    {
        var expiry = newExpiry ?? PeriodOn(from)?.ExpiresOn;
        var period = new PermitPeriod(from, status, expiry, Periods.Count + 1, correctionDueOn);
        var periods = Periods.Append(period).OrderBy(p => p.From).ThenBy(p => p.Ordinal).ToList();
        return this with { Periods = periods, LatestStatus = periods[^1].Status };
    }
}
