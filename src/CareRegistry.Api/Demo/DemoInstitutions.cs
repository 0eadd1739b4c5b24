using CareRegistry.Common;
using CareRegistry.Institutions;

namespace CareRegistry.Demo;

// Institutions named in the five source documents, in their real districts, and deterministic placeholders for the
// ones the documents count without naming (DemoPlaceholders: "示例" in the name, "Placeholder" in the Latin name).
// The documents give no USCCs and few per-institution bed counts: USCCs are generated (valid check character, "DM"
// at positions 9-10 marks them as demo data); bed counts and grades of single institutions are plausible figures,
// chosen so that the totals the replies publish come out (docs/monitoring.md), not published ones.
public static class DemoInstitutions
{
    public record Entry(string Key, string Name, string LatinName, InstitutionKind Kind, MedicalSubtype? Subtype, int? Grade,
        Ownership Ownership, string Jurisdiction, string Address, BedsInput Beds, DateOnly EstablishedOn, string? Operator = null,
        LocationInput? Location = null)
    {
        public bool IsPlaceholder => LatinName.StartsWith("Placeholder", StringComparison.Ordinal);
    }

    // The seat of each district's government (区/县/市人民政府驻地), WGS-84, rounded to about 100 m. The five replies name
    // institutions by district and at most by subdistrict or town (悦来街道, 六甲街道, 大湾镇...), never by street
    // number or coordinates, so every demo institution stands at its district's seat, marked approximate, until a
    // surveyed place replaces it through a details change.
    public static readonly IReadOnlyDictionary<string, (double Lat, double Lon, string Seat)> DistrictSeats = new Dictionary<string, (double, double, string)>
    {
        ["530111"] = (25.0150, 102.7430, "昆明市官渡区人民政府（关上）"),
        ["530112"] = (25.0386, 102.6644, "昆明市西山区人民政府（前兴路）"),
        ["510703"] = (31.4636, 104.7405, "绵阳市涪城区人民政府"),
        ["510704"] = (31.4731, 104.7661, "绵阳市游仙区人民政府"),
        ["510722"] = (31.0958, 105.0946, "三台县人民政府（潼川镇）"),
        ["510781"] = (31.7775, 104.7445, "江油市人民政府（中坝镇）"),
        ["500112"] = (29.7181, 106.6310, "重庆市渝北区人民政府（双龙湖街道）"),
    };

    // Placeholders stand for counts, not places, so they have none; neither has a named institution of a district
    // whose seat is not listed here.
    public static LocationInput? LocationOf(Entry entry)
    {
        if (entry.Location is { } surveyed) return surveyed;
        if (entry.IsPlaceholder || !DistrictSeats.TryGetValue(entry.Jurisdiction, out var seat)) return null;
        return new LocationInput(seat.Lat, seat.Lon, Approximate: true);
    }

    private static BedsInput Care(int elderly, int nursing = 0) => new(ElderlyCare: elderly, Nursing: nursing);
    private static BedsInput Hospital(int medical, int rehab = 0, int hospice = 0, int elderly = 0) =>
        new(ElderlyCare: elderly, Medical: medical, Rehabilitation: rehab, Hospice: hospice);

    public static readonly Entry[] All =
    [
        // Kunming, Guandu district (官卫〔2019〕16号): five integrated pilots and their medical partners.
        new("baishou", "柏寿老年公寓", "Baishou Senior Apartments", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "530111", "昆明市官渡区", Care(220, 40), new(2012, 5, 1)),
        new("dushi-xinjia", "都市新家老年公寓", "Dushi Xinjia Senior Apartments", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "530111", "昆明市官渡区", Care(260, 60), new(2013, 3, 1)),
        new("kunming-rende", "昆明仁德医院", "Kunming Rende Hospital", InstitutionKind.Medical, MedicalSubtype.GeneralHospital, 1, Ownership.Private, "530111", "昆明市官渡区", Hospital(99, 20), new(2010, 6, 1)),
        new("yadong-fushou", "亚东福寿家园", "Yadong Fushou Home", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "530111", "昆明市官渡区", Care(180, 30), new(2014, 9, 1)),
        new("kunming-yadong", "昆明亚东医院", "Kunming Yadong Hospital", InstitutionKind.Medical, MedicalSubtype.GeneralHospital, 2, Ownership.Private, "530111", "昆明市官渡区", Hospital(200, 30), new(2009, 1, 1)),
        new("guanfang", "官房集团老年公寓", "Guanfang Group Senior Apartments", InstitutionKind.ElderlyCare, null, null, Ownership.Public, "530111", "昆明市官渡区", Care(300, 50), new(2011, 8, 1)),
        new("yunxiu-kangyuan", "云秀康园社区卫生服务站", "Yunxiu Kangyuan Community Health Station", InstitutionKind.Medical, MedicalSubtype.CommunityHealthCentre, null, Ownership.Public, "530111", "昆明市官渡区", Hospital(10), new(2015, 4, 1)),
        new("liujia-chc", "六甲街道社区卫生服务中心", "Liujia Subdistrict Community Health Centre", InstitutionKind.Medical, MedicalSubtype.CommunityHealthCentre, null, Ownership.Public, "530111", "昆明市官渡区六甲街道", Hospital(40, 10, 0, 30), new(2008, 1, 1)),
        new("guandu-peoples", "官渡区人民医院", "Guandu District People's Hospital", InstitutionKind.Medical, MedicalSubtype.GeneralHospital, 2, Ownership.Public, "530111", "昆明市官渡区", Hospital(500, 40), new(1952, 1, 1)),
        new("guandu-demo-centre", "官渡区养老综合服务示范中心", "Guandu Integrated Elderly Care Demonstration Centre", InstitutionKind.CommunityCareCentre, null, null, Ownership.PublicBuiltPrivateOperated, "530111", "昆明市官渡区关上", new BedsInput(), new(2019, 3, 27), "吉林省幸福里养老服务有限责任公司"),

        // Kunming, Xishan district (西卫函〔2022〕78号).
        new("guangfu-care", "广福养老中心", "Guangfu Elderly Care Centre", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "530112", "昆明市西山区", Care(300, 80), new(2014, 6, 1)),
        new("guangfu-hospital", "昆明市西山区广福医院", "Kunming Xishan Guangfu Hospital", InstitutionKind.Medical, MedicalSubtype.GeneralHospital, 2, Ownership.Private, "530112", "昆明市西山区", Hospital(150, 20), new(2005, 1, 1)),
        new("laonian-zhijia", "云南老年之家敬老院", "Yunnan Home for the Elderly", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "530112", "昆明市西山区", Care(150, 30), new(2010, 1, 1)),
        new("xiyi", "西仪敬老院", "Xiyi Home for the Aged", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "530112", "昆明市西山区", Care(120, 20), new(2012, 1, 1)),
        new("guanyinshan", "观音山养老中心", "Guanyinshan Elderly Care Centre", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "530112", "昆明市西山区观音山", Care(200, 40), new(2015, 1, 1)),

        // Mianyang (绵卫函〔2017〕263号).
        new("wanhong", "万鸿颐养院", "Wanhong Care Home", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "510704", "绵阳市游仙区", Care(260, 60), new(2014, 1, 1)),
        new("youxian-peoples", "游仙区人民医院", "Youxian District People's Hospital", InstitutionKind.Medical, MedicalSubtype.GeneralHospital, 2, Ownership.Public, "510704", "绵阳市游仙区", Hospital(400, 30), new(1950, 1, 1)),
        new("fule-centre", "富乐老年康复护理服务中心", "Fule Elderly Rehabilitation and Nursing Centre", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "510704", "绵阳市游仙区富乐社区", Care(54), new(2012, 3, 1)),
        new("fule-chc", "富乐社区卫生服务中心", "Fule Community Health Centre", InstitutionKind.Medical, MedicalSubtype.CommunityHealthCentre, null, Ownership.Public, "510704", "绵阳市游仙区富乐社区", Hospital(30), new(2006, 1, 1)),
        new("xishan-chc", "西山社区卫生服务中心", "Xishan Community Health Centre (Fucheng)", InstitutionKind.Medical, MedicalSubtype.CommunityHealthCentre, null, Ownership.Public, "510703", "绵阳市涪城区", Hospital(30), new(2007, 1, 1)),
        // "九九佳苑颐养苑通过引进民办雨辰医院", "仙海区益康养老服务中心内设益康老年护理院": the zones have no division code of their own.
        new("jiujiu", "九九佳苑颐养苑", "Jiujiu Jiayuan Care Home", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "510703", "绵阳经开区", Care(150), new(2013, 1, 1)),
        new("yikang", "仙海区益康养老服务中心", "Xianhai Yikang Elderly Care Centre", InstitutionKind.ElderlyCare, null, null, Ownership.Public, "510704", "绵阳仙海区", Care(120, 40), new(2012, 1, 1)),
        new("santai-guangrong", "三台县光荣院", "Santai County Veterans' Home", InstitutionKind.ElderlyCare, null, null, Ownership.Public, "510722", "绵阳市三台县", Care(100), new(1985, 1, 1)),
        new("jiangyou-geriatric", "江油市老年病医院", "Jiangyou Geriatric Hospital", InstitutionKind.Medical, MedicalSubtype.GeriatricHospital, 1, Ownership.Public, "510781", "绵阳市江油市", Hospital(120, 20, 10, 60), new(2001, 1, 1)),

        // Chongqing, Yubei district (渝北卫健函〔2024〕71号).
        new("yuelai", "悦来老年康养中心", "Yuelai Elderly Care and Wellness Centre", InstitutionKind.ElderlyCare, null, null, Ownership.PublicBuiltPrivateOperated, "500112", "重庆市渝北区悦来街道", Care(400, 120), new(2018, 1, 1), "重庆悦来康养服务有限公司"),
        new("xiantao-centre", "仙桃街道养老服务中心", "Xiantao Subdistrict Elderly Care Centre", InstitutionKind.CommunityCareCentre, null, null, Ownership.Public, "500112", "重庆市渝北区仙桃街道", Care(60, 10), new(2020, 6, 1)),
        // "3 medical institutions provide integrated care through elderly-care beds; 110 rehabilitation and nursing beds".
        new("xiantao-chc", "仙桃街道社区卫生服务中心", "Xiantao Subdistrict Community Health Centre", InstitutionKind.Medical, MedicalSubtype.CommunityHealthCentre, null, Ownership.Public, "500112", "重庆市渝北区仙桃街道", new BedsInput(ElderlyCare: 20, Medical: 30, Rehabilitation: 10), new(2009, 1, 1)),
        new("yubei-peoples", "渝北区人民医院", "Yubei District People's Hospital", InstitutionKind.Medical, MedicalSubtype.GeneralHospital, 2, Ownership.Public, "500112", "重庆市渝北区", new BedsInput(ElderlyCare: 30, Medical: 300, Nursing: 30, Rehabilitation: 40), new(1950, 1, 1)),
        new("yubei-tcm", "渝北区中医院", "Yubei District Hospital of Traditional Chinese Medicine", InstitutionKind.Medical, MedicalSubtype.GeneralHospital, 2, Ownership.Public, "500112", "重庆市渝北区", new BedsInput(ElderlyCare: 20, Medical: 175, Nursing: 10, Rehabilitation: 20), new(1985, 1, 1)),
        new("dawan", "大湾镇敬老院", "Dawan Town Home for the Aged", InstitutionKind.ElderlyCare, null, null, Ownership.Public, "500112", "重庆市渝北区大湾镇", Care(80), new(2005, 1, 1)),
        new("yubei-demo-01", "渝北区示例养老院01", "Placeholder: a Yubei care home with an internal clinic (渝北卫健函〔2024〕71号 counts 4, names 3)", InstitutionKind.ElderlyCare, null, null, Ownership.Private, "500112", "重庆市渝北区", Care(90, 20), new(2016, 1, 1)),
        .. DemoPlaceholders.All(),
    ];

    public const int XishanPlaceholderCount = DemoPlaceholders.XishanCareHomes;
    public const int YubeiPlaceholderCount = DemoPlaceholders.YubeiCareInstitutions;

    // Positions 1-2: registering authority and category (52 private non-enterprise unit, 12 public institution);
    // 3-8 the division; 9-17 "DM" and a serial (demo); 18 the check character.
    private static readonly Dictionary<string, int> Serials = All.Select((e, n) => (e.Key, n)).ToDictionary(x => x.Key, x => x.n);

    public static string UsccFor(Entry entry)
    {
        var category = entry.Ownership == Ownership.Public ? "12" : "52";
        var serial = (Serials[entry.Key] + 1).ToString("D7");
        var first17 = category + entry.Jurisdiction + "DM" + serial;
        return first17 + Uscc.CheckCharacter(first17);
    }
}
