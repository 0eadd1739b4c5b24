using CareRegistry.Designations;

namespace CareRegistry.Demo;

// The programme designations the replies name. Where a reply gives a year only, the first day of it; where it gives
// none, the reply's reporting date (Guizhou's "截止2018年底") or its own date — said so in the basis.
public static class DemoDesignations
{
    public record JurisdictionEntry(string Jurisdiction, Programme Programme, DesignationLevel Level, string By, DateOnly On, string Basis);

    public record InstitutionEntry(string Institution, Programme Programme, DesignationLevel Level, string By, DateOnly On, string Basis);

    public static readonly JurisdictionEntry[] Jurisdictions =
    [
        new("530111", Programme.IntegratedCarePilot, DesignationLevel.Provincial, "云南省", new(2016, 1, 1), "官卫〔2019〕16号：2016年被确定为云南省医养结合试点单位（月日未载）"),
        .. new[] { "5201", "5203", "5206" }.Select(city => new JurisdictionEntry(city, Programme.IntegratedCarePilot, DesignationLevel.National, "国家",
            new(2018, 12, 31), "黔卫健建议复字【2019】51号：贵阳市、遵义市和铜仁市申报为国家级医养结合试点单位（日期未载，按复函所述截止2018年底）")),
        new("510704", Programme.SmartHealthyAgeingDemonstration, DesignationLevel.National, "国家", new(2015, 1, 1),
            "绵卫函〔2017〕263号：2015年承接全国首批智慧养老健康基地示范项目，在游仙区试点运行（月日未载）"),
    ];

    public static readonly InstitutionEntry[] Institutions =
    [
        new("yuelai", Programme.RemoteCarePilot, DesignationLevel.National, "国家", new(2024, 5, 17),
            "渝北卫健函〔2024〕71号：入选全国首批医养结合远程协同服务试点机构（日期未载，按复函日期）"),
        // Guizhou's 35 provincial demonstration units, by the end of 2018; which institutions they are is not published.
        .. Enumerable.Range(1, 35).Select(n => new InstitutionEntry($"gz-int-{n:D2}", Programme.IntegratedCareDemonstration, DesignationLevel.Provincial,
            "贵州省", new(2016 + n % 3, 1 + n % 12, 1), "黔卫健建议复字【2019】51号：省级医养结合服务示范单位35个（示例：单位与日期未载）")),
    ];
}
