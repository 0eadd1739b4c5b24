using CareRegistry.Common;
using CareRegistry.Permits;

namespace CareRegistry.Institutions;

// 医养结合机构 is derived, never declared: on a given day the institution holds an elderly-care permit in force and a
// medical-practice licence or internal clinic in force ("兼具医疗卫生和养老服务资质").
public static class Integration
{
    public static bool IsIntegrated(IEnumerable<Permit> permits, DateOnly day)
    {
        var inForce = permits.Where(p => p.IsInForceOn(day)).Select(p => p.Type).ToHashSet();
        return inForce.Contains(PermitType.ElderlyCare) && (inForce.Contains(PermitType.MedicalPractice) || inForce.Contains(PermitType.InternalClinic));
    }

    // 养中有医 (a care home with medical care inside) or 医中有养 (a medical institution with care beds).
    public static string Model(Institution institution) =>
        institution.Kind == InstitutionKind.Medical ? "medical-with-care" : "care-with-medical";
}
