using CareRegistry.Common;
using CareRegistry.Permits;

namespace CareRegistry.Jurisdictions;

public enum PendingApplications { Keep, Convert }

// "Permit type X moves from approval to filing (or back) from date D, basis: document number."
public record RegimeChanged(
    string Jurisdiction, PermitType PermitType, Regime Regime, DateOnly EffectiveOn, string Basis,
    PendingApplications PendingApplications) : IRegistryEvent
{
    public string Describe() =>
        $"{Json.Wire(PermitType)} by {Json.Wire(Regime)} in {Jurisdiction} from {EffectiveOn:yyyy-MM-dd} ({Basis}); pending applications: {Json.Wire(PendingApplications)}";
}

// The demerit points over 12 months at which an institution in this jurisdiction raises an enforcement alert.
public record DemeritThresholdSet(string Jurisdiction, int Threshold, DateOnly EffectiveOn, string Basis) : IRegistryEvent
{
    public string Describe() => $"demerit threshold in {Jurisdiction} set to {Threshold} from {EffectiveOn:yyyy-MM-dd} ({Basis})";
}
