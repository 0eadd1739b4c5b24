using CareRegistry.Common;

namespace CareRegistry.Permits;

// Named for what the permit allows, not for how it is obtained: that is the regime in force (approval or filing).
public enum PermitType { ElderlyCare, MedicalPractice, InternalClinic, InsuranceDesignation, IntegratedCarePilot }

public enum Regime { Approval, Filing }

public enum PermitStatus { Pending, Refused, Active, CorrectionRequested, Suspended, Expired, Revoked, Cancelled }

public static class PermitTypes
{
    // Which department decides each type (domain.md).
    public static Department DepartmentOf(PermitType type) => type switch
    {
        PermitType.ElderlyCare => Department.CivilAffairs,
        PermitType.InsuranceDesignation => Department.MedicalInsurance,
        _ => Department.Health,
    };

    // The "regime before any reform" column: every type starts as an approval until a regime event says otherwise.
    public static Regime RegimeBeforeAnyReform(PermitType type) => Regime.Approval;

    // Statuses in which the permit lets the institution do what it names.
    public static bool IsInForce(PermitStatus status) => status is PermitStatus.Active or PermitStatus.CorrectionRequested;
}
