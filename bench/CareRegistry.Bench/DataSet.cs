using System.Text.Json.Nodes;
using CareRegistry.Common;

namespace CareRegistry.Bench;

// The seeded, deterministic data set. Institutions come in clusters of eight in one district: two medical
// institutions, one community care centre and five care homes. A cluster's *shape* (kinds, dates, permits,
// partnerships, inspections and findings) is drawn from seed and (cluster mod Shapes); its *identity* (district,
// names, USCCs) from seed and the cluster number. So the HTTP path and the clone path (a template of Shapes
// clusters loaded over HTTP, exported, then copied with new ids and identities) produce the same data set.
public sealed record District(string Code, string Name, string City);

public static class Divisions
{
    // Real division codes (GB/T 2260): Kunming 5301xx, Chongqing 5001xx, Mianyang 5107xx, Guizhou 52xxxx.
    public static readonly District[] All =
    [
        new("530102", "五华区", "昆明市"), new("530103", "盘龙区", "昆明市"), new("530111", "官渡区", "昆明市"), new("530112", "西山区", "昆明市"),
        new("530113", "东川区", "昆明市"), new("530114", "呈贡区", "昆明市"), new("530115", "晋宁区", "昆明市"), new("530124", "富民县", "昆明市"),
        new("530125", "宜良县", "昆明市"), new("530181", "安宁市", "昆明市"),
        new("500101", "万州区", "重庆市"), new("500103", "渝中区", "重庆市"), new("500105", "江北区", "重庆市"), new("500106", "沙坪坝区", "重庆市"),
        new("500107", "九龙坡区", "重庆市"), new("500108", "南岸区", "重庆市"), new("500112", "渝北区", "重庆市"), new("500113", "巴南区", "重庆市"),
        new("500117", "合川区", "重庆市"), new("500118", "永川区", "重庆市"),
        new("510703", "涪城区", "绵阳市"), new("510704", "游仙区", "绵阳市"), new("510705", "安州区", "绵阳市"), new("510722", "三台县", "绵阳市"),
        new("510723", "盐亭县", "绵阳市"), new("510725", "梓潼县", "绵阳市"), new("510781", "江油市", "绵阳市"),
        new("520102", "南明区", "贵阳市"), new("520103", "云岩区", "贵阳市"), new("520111", "花溪区", "贵阳市"), new("520112", "乌当区", "贵阳市"),
        new("520113", "白云区", "贵阳市"), new("520115", "观山湖区", "贵阳市"), new("520181", "清镇市", "贵阳市"), new("520302", "红花岗区", "遵义市"),
        new("520303", "汇川区", "遵义市"), new("520402", "西秀区", "安顺市"), new("522601", "凯里市", "黔东南州"), new("522701", "都匀市", "黔南州"),
    ];

    // Kunming 30 %, Chongqing 30 %, Mianyang 15 %, Guizhou 25 %.
    public static District Pick(Random r)
    {
        var x = r.NextDouble();
        IEnumerable<District> pool = x < 0.30 ? All.Where(d => d.Code.StartsWith("5301"))
            : x < 0.60 ? All.Where(d => d.Code.StartsWith("5001"))
            : x < 0.75 ? All.Where(d => d.Code.StartsWith("5107"))
            : All.Where(d => d.Code.StartsWith("52"));
        var list = pool.ToArray();
        return list[r.Next(list.Length)];
    }
}

public static class Names
{
    public static readonly string[] Streets = ["东风", "人民", "建设", "解放", "新华", "和平", "团结", "光明", "胜利", "前进", "红旗", "滨江", "龙泉", "金马", "青云", "白塔", "翠湖", "龙华", "长春", "北京"];
    public static readonly (string Zh, string Py)[] Words =
    [
        ("福寿", "Fushou"), ("康宁", "Kangning"), ("颐和", "Yihe"), ("松鹤", "Songhe"), ("夕阳红", "Xiyanghong"), ("安康", "Ankang"), ("长青", "Changqing"),
        ("幸福", "Xingfu"), ("仁爱", "Ren'ai"), ("慈惠", "Cihui"), ("乐龄", "Leling"), ("孝心", "Xiaoxin"), ("百福", "Baifu"), ("祥和", "Xianghe"),
        ("泰康", "Taikang"), ("金色年华", "Jinse Nianhua"), ("温馨", "Wenxin"), ("和谐", "Hexie"), ("瑞祥", "Ruixiang"), ("永乐", "Yongle"),
        ("怡心", "Yixin"), ("益寿", "Yishou"), ("延年", "Yannian"), ("如意", "Ruyi"), ("天伦", "Tianlun"),
    ];
    public static readonly (string Zh, string En)[] CareSuffixes =
        [("养老院", "Care Home"), ("敬老院", "Home for the Aged"), ("老年公寓", "Senior Apartments"), ("养老中心", "Elderly Care Centre"), ("颐养院", "Care Home"), ("康养中心", "Wellness Centre")];
}

public sealed record Identity(string Name, string? LatinName, string Uscc, string Jurisdiction, string Address);

public sealed record InstitutionShape(int Position, InstitutionKind Kind, MedicalSubtype? Subtype, int? Grade, Ownership Ownership,
    DateOnly EstablishedOn, JsonObject Beds);

public static class DataSet
{
    public const int ClusterSize = 8;
    public static readonly DateOnly InternalClinicFiling = new(2017, 11, 8);
    public static readonly DateOnly ElderlyCareFiling = new(2018, 12, 29);
    public static readonly DateOnly Horizon = new(2026, 6, 30);

    public static int Seed { get; set; } = 20260619;
    public static int Shapes { get; set; } = 250;

    public static Random ShapeRandom(int cluster) => new(Seed * 7919 + cluster % Shapes);
    public static Random IdentityRandom(int cluster) => new(Seed * 104729 + cluster);

    public static InstitutionShape[] ShapeOf(int cluster)
    {
        var r = ShapeRandom(cluster);
        var early = r.NextDouble() < 0.8;
        var shapes = new InstitutionShape[ClusterSize];
        for (var p = 0; p < ClusterSize; p++)
        {
            var established = early ? new DateOnly(1998 + r.Next(18), 1 + r.Next(12), 1 + r.Next(28)) : new DateOnly(2016 + r.Next(8), 1 + r.Next(12), 1 + r.Next(28));
            if (p < 2)
            {
                var x = r.NextDouble();
                var subtype = p == 0
                    ? x < 0.4 ? MedicalSubtype.GeneralHospital : x < 0.7 ? MedicalSubtype.CommunityHealthCentre : x < 0.9 ? MedicalSubtype.TownshipHealthCentre : x < 0.95 ? MedicalSubtype.GeriatricHospital : MedicalSubtype.RehabilitationHospital
                    : x < 0.3 ? MedicalSubtype.Clinic : x < 0.6 ? MedicalSubtype.CommunityHealthCentre : x < 0.8 ? MedicalSubtype.NursingHome : x < 0.9 ? MedicalSubtype.Hospice : MedicalSubtype.GeneralHospital;
                int? grade = subtype is MedicalSubtype.GeneralHospital or MedicalSubtype.GeriatricHospital or MedicalSubtype.RehabilitationHospital ? 1 + r.Next(3) : null;
                var medical = subtype switch { MedicalSubtype.GeneralHospital => 100 + r.Next(600), MedicalSubtype.Clinic => 0, _ => 10 + r.Next(90) };
                // 医中有养: some medical institutions keep elderly-care beds (and later file as elderly-care institutions).
                var elderly = r.NextDouble() < 0.08 ? 20 + r.Next(60) : 0;
                var beds = new JsonObject { ["elderlyCare"] = elderly, ["medical"] = medical, ["rehabilitation"] = r.Next(3) == 0 ? r.Next(30) : 0, ["hospice"] = subtype == MedicalSubtype.Hospice ? 10 + r.Next(20) : 0 };
                shapes[p] = new(p, InstitutionKind.Medical, subtype, grade, r.NextDouble() < 0.6 ? Ownership.Public : Ownership.Private, established, beds);
            }
            else
            {
                var kind = p == 2 ? InstitutionKind.CommunityCareCentre : InstitutionKind.ElderlyCare;
                var y = r.NextDouble();
                var ownership = y < 0.25 ? Ownership.Public : y < 0.9 ? Ownership.Private : Ownership.PublicBuiltPrivateOperated;
                var beds = new JsonObject { ["elderlyCare"] = kind == InstitutionKind.CommunityCareCentre ? 20 + r.Next(60) : 40 + r.Next(400), ["nursing"] = r.Next(2) == 0 ? r.Next(80) : 0 };
                shapes[p] = new(p, kind, null, null, ownership, established, beds);
            }
        }
        return shapes;
    }

    // Institution number n = cluster * 8 + position; the USCC serial is n, so every institution has its own.
    public static Identity IdentityOf(int cluster, int position, InstitutionShape shape)
    {
        var r = IdentityRandom(cluster);
        var district = Divisions.Pick(r);
        for (var skip = 0; skip < position; skip++) r.Next();
        var street = Names.Streets[r.Next(Names.Streets.Length)];
        var word = Names.Words[r.Next(Names.Words.Length)];
        var suffix = Names.CareSuffixes[r.Next(Names.CareSuffixes.Length)];
        var n = cluster * ClusterSize + position;
        string name;
        string? latin = null;
        switch (shape.Kind)
        {
            case InstitutionKind.Medical:
                name = shape.Subtype switch
                {
                    MedicalSubtype.GeneralHospital => $"{district.Name}{street}{(n % 3 == 0 ? "人民医院" : n % 3 == 1 ? "中医医院" : $"{word.Zh}医院")}",
                    MedicalSubtype.CommunityHealthCentre => $"{district.Name}{street}街道社区卫生服务中心",
                    MedicalSubtype.TownshipHealthCentre => $"{district.Name}{street}镇卫生院",
                    MedicalSubtype.GeriatricHospital => $"{district.City}{word.Zh}老年病医院",
                    MedicalSubtype.RehabilitationHospital => $"{district.City}{word.Zh}康复医院",
                    MedicalSubtype.NursingHome => $"{district.Name}{word.Zh}护理院",
                    MedicalSubtype.Hospice => $"{district.Name}{word.Zh}安宁疗护中心",
                    _ => $"{district.Name}{street}{word.Zh}诊所",
                };
                break;
            case InstitutionKind.CommunityCareCentre:
                name = $"{district.Name}{street}街道{(n % 2 == 0 ? "社区居家养老服务中心" : "日间照料中心")}";
                break;
            default:
                name = $"{district.Name}{street}{word.Zh}{suffix.Zh}";
                if (n % 3 == 0) latin = $"{word.Py} {suffix.En} ({street})";
                break;
        }
        var first17 = (shape.Ownership == Ownership.Public ? "12" : "52") + district.Code + "B" + n.ToString("D8");
        return new Identity(name, latin, first17 + Uscc.CheckCharacter(first17), district.Code, $"{district.City}{district.Name}{street}路{1 + n % 300}号");
    }

    public static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
    public static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
    public static string D(DateOnly d) => d.ToString("yyyy-MM-dd");
}
