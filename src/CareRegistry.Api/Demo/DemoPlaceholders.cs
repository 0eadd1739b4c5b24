using CareRegistry.Common;
using CareRegistry.Institutions;
using static CareRegistry.Demo.DemoInstitutions;

namespace CareRegistry.Demo;

// The institutions the five replies count without naming, as deterministic placeholders: a "示例" name, a Latin name
// starting "Placeholder:" that names the reply that counts them, and the beds, grades and dates needed for the
// reply's totals (docs/monitoring.md maps each figure). Nothing about a single placeholder is published.
public static class DemoPlaceholders
{
    public const string Guandu = "官卫〔2019〕16号";
    public const string Xishan = "西卫函〔2022〕78号";
    public const string Mianyang = "绵卫函〔2017〕263号";
    public const string Guizhou = "黔卫健建议复字【2019】51号";
    public const string Yubei = "渝北卫健函〔2024〕71号";

    // Guandu: 14 care institutions (4 named), over 5,000 beds (the named hold 1,140: 10 × 387 makes 5,010),
    // 35 community centres (the demonstration centre and 34), 8 community health centres with two-way referral to the
    // district hospital (六甲 and 7), which refers to 5 provincial and city hospitals.
    public const int GuanduCareHomes = 10, GuanduCommunityCentres = 34, GuanduHealthCentres = 7, GuanduReferralHospitals = 5;

    // Xishan: 26 care homes filed (4 named, 1 public, 25 private).
    public const int XishanCareHomes = 22;

    // Mianyang: 266 care institutions (5 named) with 38,000 beds; 40 with an internal clinic, 10 with a medical
    // institution inside (5 named), 218 with a partner (万鸿 and 217); 4,364 medical institutions (4 named), 17 at
    // level 3 and 49 at level 2 (游仙区人民医院 and 48); 35 regional centres, 782 day-care centres, 503 rural homes.
    public const int MianyangCareHomes = 261, MianyangBeds = 38_000, MianyangNamedCareBeds = 320 + 54 + 100 + 150 + 160;
    public const int MianyangClinics = 40, MianyangMedicalInside = 5, MianyangPartnered = 217;
    public const int MianyangMedical = 4_360, MianyangGrade3 = 17, MianyangGrade2 = 48;
    public const int MianyangRegionalCentres = 35, MianyangDayCare = 782, MianyangRural = 503;

    // Guizhou: 40 integrated institutions (25 care homes with a clinic, 15 hospitals with care beds) with 9,612 beds;
    // 428 medical institutions cooperating with care homes; 4,200 rural homes, 1,051 centres (stations), 369 day-care.
    public const int GuizhouIntegratedCare = 25, GuizhouIntegratedMedical = 15, GuizhouIntegratedBeds = 9_612;
    public const int GuizhouCooperating = 428, GuizhouRural = 4_200, GuizhouStations = 1_051, GuizhouDayCare = 369;

    // Yubei: 61 care institutions (4 named); 12 敬老院 (大湾 and 11), 22 street-level centres (仙桃 and 21), 27 others
    // (悦来, 示例01 and 25); 158 community stations and 101 mutual-aid points.
    public const int YubeiHomesForAged = 11, YubeiOtherHomes = 25, YubeiStreetCentres = 21;
    public const int YubeiCareInstitutions = YubeiHomesForAged + YubeiOtherHomes + YubeiStreetCentres;
    public const int YubeiStations = 158, YubeiMutualAid = 101;
    // 21 primary medical institutions make home visits (仙桃 and 20); 8 medical institutions have home sickbeds (仙桃 and 7).
    public const int YubeiPrimaryCare = 20, YubeiSickbeds = 7;

    public static readonly string[] MianyangDistricts = ["510703", "510704", "510705", "510722", "510723", "510725", "510726", "510727", "510781"];
    public static readonly string[] GuizhouDistricts = ["520102", "520103", "520111", "520112", "520113", "520302", "520303", "520304", "520602", "520603", "520621"];

    private static string Pick(string[] districts, int n) => districts[n % districts.Length];

    private static Entry Place(string key, string name, string basis, InstitutionKind kind, string jurisdiction, BedsInput beds, DateOnly established,
        MedicalSubtype? subtype = null, int? grade = null, Ownership ownership = Ownership.Public) =>
        new(key, name, $"Placeholder: {basis}", kind, subtype, grade, ownership, jurisdiction, "示例地址（复函未列名）", beds, established);

    private static IEnumerable<Entry> Range(int count, Func<int, Entry> make) => Enumerable.Range(1, count).Select(make);

    // Spreads a total over count entries: each gets the quotient, the first (total mod count) one more.
    public static int Share(int total, int count, int n) => total / count + (n <= total % count ? 1 : 0);

    public static IEnumerable<Entry> All() =>
    [
        .. Range(GuanduCareHomes, n => Place($"gd-care-{n:D2}", $"官渡区示例养老机构{n:D2}", $"care institution counted in {Guandu}", InstitutionKind.ElderlyCare, "530111",
            new BedsInput(ElderlyCare: 300, Nursing: 87), new(2008 + n % 8, 1 + n % 12, 1), ownership: Ownership.Private)),
        .. Range(GuanduCommunityCentres, n => Place($"gd-cc-{n:D2}", $"官渡区示例社区居家养老服务中心{n:D2}", $"community centre counted in {Guandu}",
            InstitutionKind.CommunityCareCentre, "530111", new BedsInput(), new(2014 + n % 5, 1 + n % 12, 1))),
        .. Range(GuanduHealthCentres, n => Place($"gd-chc-{n:D2}", $"官渡区示例社区卫生服务中心{n:D2}", $"health centre with two-way referral counted in {Guandu}",
            InstitutionKind.Medical, "530111", new BedsInput(Medical: 20), new(2006 + n, 1, 1), MedicalSubtype.CommunityHealthCentre)),
        .. Range(GuanduReferralHospitals, n => Place($"gd-ref-{n:D2}", $"昆明示例省市级医院{n:D2}", $"provincial or city hospital with two-way referral, {Guandu}",
            InstitutionKind.Medical, n % 2 == 0 ? "530102" : "530103", new BedsInput(Medical: 800), new(1950 + n, 1, 1), MedicalSubtype.GeneralHospital, 3)),

        .. Range(XishanCareHomes, n => new Entry($"xishan-demo-{n:D2}", $"西山区示例养老机构{n:D2}", $"Placeholder: care home filed with civil affairs counted in {Xishan}",
            InstitutionKind.ElderlyCare, null, null, n == 1 ? Ownership.Public : Ownership.Private, "530112", "示例地址（复函未列名）",
            new BedsInput(ElderlyCare: 40 + n * 5, Nursing: n % 3 * 10), new(2008 + n % 10, 1 + n % 12, 1))),

        .. Range(MianyangCareHomes, n => Place($"my-care-{n:D3}", $"绵阳市示例养老机构{n:D3}", $"care institution counted in {Mianyang}", InstitutionKind.ElderlyCare,
            Pick(MianyangDistricts, n), new BedsInput(ElderlyCare: Share(MianyangBeds - MianyangNamedCareBeds, MianyangCareHomes, n)), new(2000 + n % 16, 1 + n % 12, 1),
            ownership: n % 3 == 0 ? Ownership.Public : Ownership.Private)),
        .. Range(MianyangMedical, n => Place($"my-med-{n:D4}", $"绵阳市示例医疗机构{n:D4}", $"medical institution counted in {Mianyang}", InstitutionKind.Medical,
            Pick(MianyangDistricts, n), new BedsInput(Medical: n <= MianyangGrade3 + MianyangGrade2 ? 300 : 0), new(1990 + n % 25, 1, 1),
            n <= MianyangGrade3 + MianyangGrade2 ? MedicalSubtype.GeneralHospital : MedicalSubtype.Clinic,
            n <= MianyangGrade3 ? 3 : n <= MianyangGrade3 + MianyangGrade2 ? 2 : null)),
        .. Range(MianyangRegionalCentres, n => Place($"my-rc-{n:D2}", $"绵阳市示例区域性养老服务中心{n:D2}", $"regional care centre counted in {Mianyang}",
            InstitutionKind.CommunityCareCentre, Pick(MianyangDistricts, n), new BedsInput(), new(2014 + n % 3, 1, 1))),
        .. Range(MianyangDayCare, n => Place($"my-dc-{n:D3}", $"绵阳市示例社区老年人日间照料中心{n:D3}", $"day-care centre counted in {Mianyang}",
            InstitutionKind.DayCareCentre, Pick(MianyangDistricts, n), new BedsInput(), new(2012 + n % 5, 1, 1))),
        .. Range(MianyangRural, n => Place($"my-rural-{n:D3}", $"绵阳市示例农村幸福院{n:D3}", $"rural mutual-aid home counted in {Mianyang}",
            InstitutionKind.RuralMutualAidHome, Pick(MianyangDistricts, n), new BedsInput(), new(2013 + n % 4, 1, 1))),

        .. Range(GuizhouIntegratedCare, n => Place($"gz-int-{n:D2}", $"贵州省示例医养结合养老机构{n:D2}", $"integrated care home counted in {Guizhou}", InstitutionKind.ElderlyCare,
            Pick(GuizhouDistricts, n), new BedsInput(ElderlyCare: Share(GuizhouIntegratedBeds, GuizhouIntegratedCare + GuizhouIntegratedMedical, n)), new(2010 + n % 6, 1, 1))),
        .. Range(GuizhouIntegratedMedical, n => Place($"gz-int-{GuizhouIntegratedCare + n:D2}", $"贵州省示例医养结合医疗机构{n:D2}", $"integrated medical institution counted in {Guizhou}",
            InstitutionKind.Medical, Pick(GuizhouDistricts, n), new BedsInput(ElderlyCare: 60, Medical: Share(GuizhouIntegratedBeds, GuizhouIntegratedCare + GuizhouIntegratedMedical, GuizhouIntegratedCare + n) - 60),
            new(2000 + n, 1, 1), MedicalSubtype.GeneralHospital)),
        .. Range(GuizhouCooperating, n => Place($"gz-coop-{n:D3}", $"贵州省示例协作医疗机构{n:D3}", $"medical institution cooperating with care homes counted in {Guizhou}",
            InstitutionKind.Medical, Pick(GuizhouDistricts, n), new BedsInput(Medical: 20), new(2000 + n % 15, 1, 1), MedicalSubtype.TownshipHealthCentre)),
        .. Range(GuizhouRural, n => Place($"gz-rural-{n:D4}", $"贵州省示例农村幸福院{n:D4}", $"rural mutual-aid home counted in {Guizhou}",
            InstitutionKind.RuralMutualAidHome, Pick(GuizhouDistricts, n), new BedsInput(), new(2014 + n % 5, 1 + n % 12, 1))),
        .. Range(GuizhouStations, n => Place($"gz-st-{n:D4}", $"贵州省示例社区居家养老服务中心（站）{n:D4}", $"community centre or station counted in {Guizhou} (not split there)",
            InstitutionKind.CommunityCareStation, Pick(GuizhouDistricts, n), new BedsInput(), new(2014 + n % 5, 1 + n % 12, 1))),
        .. Range(GuizhouDayCare, n => Place($"gz-dc-{n:D3}", $"贵州省示例社区老年人日间照料中心{n:D3}", $"day-care centre counted in {Guizhou}",
            InstitutionKind.DayCareCentre, Pick(GuizhouDistricts, n), new BedsInput(), new(2014 + n % 5, 1 + n % 12, 1))),

        .. Enumerable.Range(2, YubeiCareInstitutions).Select(n => n switch
        {
            <= 1 + YubeiHomesForAged => Place($"yubei-demo-{n:D2}", $"渝北区示例敬老院{n:D2}", $"敬老院 counted among the 61 in {Yubei}", InstitutionKind.ElderlyCare, "500112",
                new BedsInput(ElderlyCare: 30 + n * 3, Nursing: n % 4 * 5), new(2006 + n % 14, 1 + n % 12, 1)),
            <= 1 + YubeiHomesForAged + YubeiOtherHomes => Place($"yubei-demo-{n:D2}", $"渝北区示例养老院{n:D2}", $"care institution counted among the 61 in {Yubei}",
                InstitutionKind.ElderlyCare, "500112", new BedsInput(ElderlyCare: 30 + n * 3, Nursing: n % 4 * 5), new(2006 + n % 14, 1 + n % 12, 1), ownership: Ownership.Private),
            _ => Place($"yubei-demo-{n:D2}", $"渝北区示例镇街养老服务中心{n:D2}", $"street-level care centre counted among the 61 and the 22 in {Yubei}",
                InstitutionKind.CommunityCareCentre, "500112", new BedsInput(ElderlyCare: 30), new(2020, 1 + n % 12, 1)),
        }),
        .. Range(YubeiPrimaryCare, n => Place($"yb-pc-{n:D2}", $"渝北区示例基层医疗机构{n:D2}", $"primary medical institution making home visits, counted in {Yubei}",
            InstitutionKind.Medical, "500112", new BedsInput(), new(2005 + n % 10, 1, 1), n % 2 == 0 ? MedicalSubtype.CommunityHealthCentre : MedicalSubtype.TownshipHealthCentre)),
        .. Range(YubeiStations, n => Place($"yb-st-{n:D3}", $"渝北区示例社区养老服务站{n:D3}", $"community station counted in {Yubei}", InstitutionKind.CommunityCareStation,
            "500112", new BedsInput(), new(2020 + n % 3, 1 + n % 12, 1))),
        .. Range(YubeiMutualAid, n => Place($"yb-ma-{n:D3}", $"渝北区示例互助养老点{n:D3}", $"mutual-aid point counted in {Yubei}", InstitutionKind.RuralMutualAidHome,
            "500112", new BedsInput(), new(2020 + n % 3, 1 + n % 12, 1))),
    ];
}
