using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Partnerships;

namespace CareRegistry.Demo;

// Inspections and agreements that the documents describe: Guandu's, Xishan's and Yubei's supervision by routine
// checks, spot checks and joint inspections with findings of each severity (one rectification overdue, one accepted
// after a rejected first attempt); every Yubei care home contracted with a medical institution; Wanhong with Youxian
// People's Hospital. Findings and dates are illustrative, not published.
public static class DemoSupervision
{
    public record FindingEntry(string Institution, FindingCategory Category, Severity Severity, int Points, string Description, DateOnly? Due,
        DateOnly? ReportedOn = null, DateOnly? RejectedOn = null, DateOnly? ReportedAgainOn = null, DateOnly? AcceptedOn = null);

    public record InspectionEntry(InspectionKind Kind, string[] Institutions, Department[] Departments, string[] Inspectors, DateOnly OpenedOn,
        FindingEntry[] Findings, DateOnly? ClosedOn);

    public record AgreementEntry(PartnershipKind Kind, string Party, string Partner, PartnershipService[] Services, DateOnly From, DateOnly To);

    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    public static readonly InspectionEntry[] Inspections =
    [
        new(InspectionKind.Joint, ["baishou", "dushi-xinjia"], [Department.Health, Department.CivilAffairs], ["张卫", "李民"], D(2019, 5, 20),
        [
            new("baishou", FindingCategory.DrugUse, Severity.Major, 4, "医务室部分药品过期未清理", D(2019, 6, 20), D(2019, 6, 10), D(2019, 6, 15), D(2019, 6, 18), D(2019, 6, 19)),
            new("dushi-xinjia", FindingCategory.FireSafety, Severity.Minor, 1, "灭火器检验标签过期", D(2019, 6, 5), D(2019, 6, 1), AcceptedOn: D(2019, 6, 3)),
        ], D(2019, 5, 21)),
        new(InspectionKind.SpotCheck, ["guangfu-care", "guanyinshan"], [Department.Health], ["王医"], D(2022, 9, 1),
        [
            new("guanyinshan", FindingCategory.PractitionerQualification, Severity.Critical, 6, "医务室护士未取得执业证书即上岗", D(2022, 10, 1)),
            new("guangfu-care", FindingCategory.MedicalServiceConduct, Severity.Minor, 2, "病历书写不规范", null),
        ], D(2022, 9, 2)),
        new(InspectionKind.FollowUp, ["yuelai", "dawan"], [Department.Health, Department.CivilAffairs], ["赵卫", "钱民"], D(2024, 3, 12),
        [
            new("dawan", FindingCategory.Hygiene, Severity.Minor, 1, "医务室消毒记录不全", D(2024, 4, 12), D(2024, 4, 1), AcceptedOn: D(2024, 4, 8)),
        ], D(2024, 3, 12)),
        new(InspectionKind.AnnualReview, ["wanhong", "fule-centre"], [Department.Health], ["孙卫"], D(2017, 8, 15), [], D(2017, 8, 16)),
    ];

    private static readonly PartnershipService[] CareServices =
        [PartnershipService.HealthGuidance, PartnershipService.EmergencyCare, PartnershipService.AppointmentBooking, PartnershipService.ScheduledVisits];

    public static readonly AgreementEntry[] Agreements =
    [
        new(PartnershipKind.CareMedical, "wanhong", "youxian-peoples", [.. CareServices, PartnershipService.GreenChannel], D(2016, 1, 1), D(2026, 12, 31)),
        new(PartnershipKind.CareMedical, "dushi-xinjia", "kunming-rende", CareServices, D(2015, 1, 1), D(2027, 12, 31)),
        new(PartnershipKind.CareMedical, "yadong-fushou", "kunming-yadong", CareServices, D(2015, 1, 1), D(2027, 12, 31)),
        new(PartnershipKind.Referral, "liujia-chc", "guandu-peoples", [PartnershipService.TwoWayReferral], D(2018, 1, 1), D(2027, 12, 31)),
        // Guandu: 8 community health centres refer to the district hospital, which refers to 5 provincial and city hospitals.
        .. Enumerable.Range(1, DemoPlaceholders.GuanduHealthCentres).Select(n => new AgreementEntry(PartnershipKind.Referral, $"gd-chc-{n:D2}", "guandu-peoples",
            [PartnershipService.TwoWayReferral], D(2018, 1, 1), D(2027, 12, 31))),
        .. Enumerable.Range(1, DemoPlaceholders.GuanduReferralHospitals).Select(n => new AgreementEntry(PartnershipKind.Referral, "guandu-peoples", $"gd-ref-{n:D2}",
            [PartnershipService.TwoWayReferral], D(2018, 1, 1), D(2027, 12, 31))),
        // Mianyang: 218 care institutions with a medical partner (万鸿 above and 217).
        .. Enumerable.Range(1, DemoPlaceholders.MianyangPartnered).Select(n => new AgreementEntry(PartnershipKind.CareMedical, $"my-care-{n:D3}", $"my-med-{n:D4}",
            CareServices, D(2016, 1, 1), D(2026, 12, 31))),
        // Guizhou: 428 medical institutions cooperating with care homes.
        .. Enumerable.Range(1, DemoPlaceholders.GuizhouCooperating).Select(n => new AgreementEntry(PartnershipKind.CareMedical,
            $"gz-int-{n % DemoPlaceholders.GuizhouIntegratedCare + 1:D2}", $"gz-coop-{n:D3}", CareServices, D(2018, 1, 1), D(2027, 12, 31))),
        // Yubei: every care institution has signed with a medical institution (签约覆盖率 100%).
        .. new[] { "yuelai", "xiantao-centre", "dawan" }.Concat(Enumerable.Range(1, DemoInstitutions.YubeiPlaceholderCount + 1).Select(n => $"yubei-demo-{n:D2}"))
            .Select((home, n) => new AgreementEntry(PartnershipKind.CareMedical, home, (n % 3) switch { 0 => "xiantao-chc", 1 => "yubei-peoples", _ => "yubei-tcm" },
                CareServices, D(2021, 1, 1), D(2029, 12, 31))),
    ];
}
