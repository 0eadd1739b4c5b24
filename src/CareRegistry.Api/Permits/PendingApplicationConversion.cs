using CareRegistry.Jurisdictions;

namespace CareRegistry.Permits;

// A regime change settles every application pending on its date as it says: kept (nothing to record) or converted
// to a filing in force from that date. Whichever is recorded first — the change or the application — the same
// conversion is recorded: by RecordRegime for the applications already there, by SubmitPermit for an application
// submitted later with an effective date before a change already recorded.
public static class PendingApplicationConversion
{
    // The conversion this change makes of this application, if any: the change converts, it is the one that decides
    // the regime of the permit's jurisdiction on its date (the nearest level), and the application is pending then.
    public static PendingApplicationConvertedToFiling? Decide(Permit permit, RegimeChanged change, RegimeBook book) =>
        change is { Regime: Regime.Filing, PendingApplications: PendingApplications.Convert } && change.PermitType == permit.Type
        && permit.Regime == Regime.Approval && permit.ConvertedOn is null && permit.StatusOn(change.EffectiveOn) == PermitStatus.Pending
        && book.Decides(change, permit.Jurisdiction)
            ? new PendingApplicationConvertedToFiling(permit.Id, change.EffectiveOn, change.Basis, permit.InstitutionId)
            : null;

    // On submission: the first change already recorded after the application's date that converts it.
    public static PendingApplicationConvertedToFiling? OnSubmission(Permit application, RegimeBook book) =>
        book.Changes(application.Type, application.Jurisdiction).Where(c => c.EffectiveOn > application.SubmittedOn)
            .Select(c => Decide(application, c, book)).FirstOrDefault(e => e is not null);
}
