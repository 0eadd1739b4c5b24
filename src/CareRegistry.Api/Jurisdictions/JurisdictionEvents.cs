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
