using CareRegistry.Jurisdictions;
using CareRegistry.Permits;

namespace CareRegistry.Demo;

// The reforms the documents cite, and the permits behind each reply's figures: Guandu's five integrated pilots,
// Xishan's 8 of 26 care homes holding both certificates, Mianyang's 266 approved homes with their clinics, Guizhou's
// 40 integrated institutions, Yubei's internal clinics before and after the move to filing. Where a document gives
// a year only, the first day of it; where it gives none, the reply's own date. Other dates are placeholders.
public static class DemoPermits
{
    public record RegimeEntry(string Jurisdiction, PermitType Type, Regime Regime, DateOnly EffectiveOn, string Basis);

    // A submission, then optionally its decision (approval) or later lifecycle steps.
    public record PermitEntry(string Institution, PermitType Type, DateOnly SubmittedOn, string? Number = null, DateOnly? ExpiresOn = null,
        DateOnly? GrantedOn = null, DateOnly? RevokedOn = null, string? RevocationReason = null);

    public static readonly RegimeEntry[] Regimes =
    [
        new("00", PermitType.InternalClinic, Regime.Filing, new(2017, 11, 8), "国卫办医发〔2017〕38号"),
        new("500112", PermitType.InternalClinic, Regime.Filing, new(2017, 11, 8), "渝北卫健函〔2024〕71号：养老机构内设医务室、护理站由审批制改为备案制"),
        new("00", PermitType.ElderlyCare, Regime.Filing, new(2018, 12, 29), "《中华人民共和国老年人权益保障法》2018年修正；民函〔2019〕1号"),
    ];

    public record PopulationEntry(string Jurisdiction, int Aged60, int? Aged80, DateOnly EffectiveOn, string Source, int? Total = null);

    // Registered elderly populations the documents quote: the denominators of beds per 1,000 elders.
    public static readonly PopulationEntry[] Populations =
    [
        new("530111", 114_208, 17_006, new(2018, 12, 31), "官卫〔2019〕16号：户籍人口总数525229人，其中60岁以上老年人114208人，80岁以上17006人", 525_229),
        new("5107", 1_198_700, null, new(2016, 12, 31), "绵阳市卫生计生委答复：60岁及以上人口119.87万人"),
        new("510704", 95_500, null, new(2016, 12, 31), "绵阳市卫生计生委答复：游仙区老龄人口约9.55万人"),
    ];

    // Not before the institution was established.
    private static DateOnly From(string key, DateOnly on)
    {
        var established = DemoInstitutions.All.Single(e => e.Key == key).EstablishedOn;
        return on < established ? established : on;
    }

    private static PermitEntry CareApproval(string key, int year) =>
        new(key, PermitType.ElderlyCare, From(key, new(year, 3, 1)), $"民养许-{key}", GrantedOn: From(key, new(year, 3, 1)).AddMonths(2));

    private static PermitEntry CareFiling(string key, DateOnly on) => new(key, PermitType.ElderlyCare, From(key, on), $"民养备-{key}");

    private static PermitEntry Licence(string key, int year) =>
        new(key, PermitType.MedicalPractice, From(key, new(year, 1, 10)), $"医执-{key}", new(2029, 12, 31), From(key, new(year, 1, 10)).AddMonths(2));

    private static PermitEntry Pilot(string key, DateOnly on) => new(key, PermitType.IntegratedCarePilot, on, $"医养试点-{key}", GrantedOn: on.AddMonths(2));

    private static PermitEntry ClinicApproval(string key, int year) =>
        new(key, PermitType.InternalClinic, From(key, new(year, 4, 1)), $"医务室-{key}", GrantedOn: From(key, new(year, 4, 1)).AddMonths(1));

    public static IEnumerable<PermitEntry> All()
    {
        // Guandu: five pilots named as Kunming's first batch of integrated-care pilot units (no date: the reply's).
        yield return CareApproval("baishou", 2012);
        yield return new("baishou", PermitType.InternalClinic, new(2016, 3, 1), "官卫医务室-001", GrantedOn: new(2016, 5, 1));
        foreach (var key in new[] { "dushi-xinjia", "yadong-fushou", "guanfang" })
        {
            yield return CareApproval(key, 2014);
            yield return new(key, PermitType.InternalClinic, new(2018, 3, 1), $"官卫备-{key}");
        }
        yield return Licence("liujia-chc", 2008);
        yield return CareFiling("liujia-chc", new(2019, 3, 1));
        foreach (var key in new[] { "baishou", "dushi-xinjia", "yadong-fushou", "guanfang", "liujia-chc" })
            yield return Pilot(key, new(2019, 4, 19));
        foreach (var key in new[] { "kunming-rende", "kunming-yadong", "guandu-peoples", "yunxiu-kangyuan" })
            yield return Licence(key, 2010);
        for (var n = 1; n <= DemoPlaceholders.GuanduCareHomes; n++) yield return CareApproval($"gd-care-{n:D2}", 2010 + n % 8);

        // Xishan: 26 care homes filed with civil affairs; 8 with both certificates (3 pilots since 2017).
        foreach (var key in new[] { "guangfu-care", "laonian-zhijia", "xiyi", "guanyinshan" })
            yield return CareApproval(key, 2015);
        for (var n = 1; n <= DemoInstitutions.XishanPlaceholderCount; n++)
            yield return n <= 11 ? CareApproval($"xishan-demo-{n:D2}", 2012 + n % 6) : CareFiling($"xishan-demo-{n:D2}", new(2019, n % 12 + 1, 15));
        foreach (var key in new[] { "guangfu-care", "laonian-zhijia", "xiyi", "xishan-demo-01", "xishan-demo-02", "xishan-demo-03", "xishan-demo-04" })
            yield return Licence(key, 2016);
        yield return new("guanyinshan", PermitType.InternalClinic, new(2019, 9, 1), "西卫备-guanyinshan");
        foreach (var key in new[] { "guangfu-care", "laonian-zhijia", "xiyi" })
            yield return Pilot(key, new(2016, 11, 1));
        yield return Licence("guangfu-hospital", 2005);
        yield return new("guangfu-hospital", PermitType.InsuranceDesignation, new(2015, 1, 1), "医保定点-guangfu", GrantedOn: new(2015, 4, 1));

        // Mianyang: 266 approved care institutions; 10 with a medical institution inside (five named), 40 with a clinic.
        foreach (var key in new[] { "wanhong", "fule-centre", "santai-guangrong", "jiujiu", "yikang" })
            yield return CareApproval(key, key == "santai-guangrong" ? 2010 : 2014);
        foreach (var key in new[] { "wanhong", "fule-centre", "santai-guangrong", "jiujiu", "yikang" })
            yield return Licence(key, 2015);
        yield return Licence("youxian-peoples", 2000);
        yield return Licence("fule-chc", 2006);
        yield return Licence("xishan-chc", 2007);
        yield return Licence("jiangyou-geriatric", 2001);
        yield return CareApproval("jiangyou-geriatric", 2016);
        for (var n = 1; n <= DemoPlaceholders.MianyangCareHomes; n++) yield return CareApproval($"my-care-{n:D3}", 2000 + n % 16);
        for (var n = 1; n <= DemoPlaceholders.MianyangMedicalInside; n++) yield return Licence($"my-care-{n:D3}", 2016);
        for (var n = 1; n <= DemoPlaceholders.MianyangClinics; n++) yield return ClinicApproval($"my-care-{DemoPlaceholders.MianyangMedicalInside + n:D3}", 2016);

        // Guizhou: 40 institutions holding both kinds of permit by the end of 2018.
        for (var n = 1; n <= DemoPlaceholders.GuizhouIntegratedCare; n++)
        {
            yield return CareApproval($"gz-int-{n:D2}", 2016);
            yield return new($"gz-int-{n:D2}", PermitType.InternalClinic, new(2018, 3, 1), $"黔医务室备-{n:D2}");
        }
        for (var n = DemoPlaceholders.GuizhouIntegratedCare + 1; n <= DemoPlaceholders.GuizhouIntegratedCare + DemoPlaceholders.GuizhouIntegratedMedical; n++)
        {
            yield return Licence($"gz-int-{n:D2}", 2010);
            yield return CareApproval($"gz-int-{n:D2}", 2017);
        }

        // Yubei: an internal clinic applied for before the move to filing stays pending until granted; the ones
        // filed afterwards are in force at once.
        yield return CareApproval("dawan", 2006);
        yield return new("dawan", PermitType.InternalClinic, new(2017, 6, 1), "渝北卫医务室-dawan", GrantedOn: new(2017, 9, 15));
        yield return CareFiling("yuelai", new(2019, 1, 15));
        yield return new("yuelai", PermitType.InternalClinic, new(2019, 3, 1), "渝北卫备-yuelai");
        yield return CareFiling("xiantao-centre", new(2020, 6, 1));
        yield return new("xiantao-centre", PermitType.InternalClinic, new(2020, 7, 1), "渝北卫备-xiantao");
        yield return CareFiling("yubei-demo-01", new(2019, 5, 1));
        yield return new("yubei-demo-01", PermitType.InternalClinic, new(2021, 4, 1), "渝北卫备-demo01");
        yield return Licence("xiantao-chc", 2009);
        foreach (var key in new[] { "xiantao-chc", "yubei-peoples", "yubei-tcm" })
        {
            if (key != "xiantao-chc") yield return Licence(key, 2005);
            yield return CareFiling(key, new(2020, 3, 1));
        }
        for (var n = 2; n <= DemoInstitutions.YubeiPlaceholderCount + 1; n++)
            yield return CareFiling($"yubei-demo-{n:D2}", n <= 37 ? new(2019, n % 12 + 1, 10) : new(2021, n % 12 + 1, 10));
    }
}
