using CareRegistry.Institutions;

namespace CareRegistry.Demo;

// Services the replies say institutions offer. Dates as the replies give them; where none, the reply's own date.
public static class DemoServices
{
    public record Entry(string Institution, CareService Service, DateOnly On, string Basis);

    private const string Guandu = "官卫〔2019〕16号：示范中心内设日间照料单元、失智护理单元、康复中心，2019年3月27日启动";
    private const string Mianyang = "绵卫函〔2017〕263号";
    private const string Yubei = "渝北卫健函〔2024〕71号（日期未载，按复函日期）";

    public static readonly Entry[] All =
    [
        new("guandu-demo-centre", CareService.DayCare, new(2019, 3, 27), Guandu),
        new("guandu-demo-centre", CareService.DementiaCare, new(2019, 3, 27), Guandu),
        new("guandu-demo-centre", CareService.Rehabilitation, new(2019, 3, 27), Guandu),
        new("xishan-chc", CareService.DayCare, new(2015, 9, 1), $"{Mianyang}：西山社区卫生服务中心医养中心2015年9月投入使用，提供老年日间照料服务"),
        new("xishan-chc", CareService.Hospice, new(2015, 9, 1), $"{Mianyang}：集医疗、保健、康复、护理、临终关怀为一体"),
        new("xishan-chc", CareService.Rehabilitation, new(2015, 9, 1), $"{Mianyang}：集医疗、保健、康复、护理、临终关怀为一体"),
        new("fule-centre", CareService.Hospice, new(2012, 3, 1), $"{Mianyang}：富乐老年康复护理服务中心开展临终关怀等服务"),
        new("fule-centre", CareService.Rehabilitation, new(2012, 3, 1), $"{Mianyang}：富乐老年康复护理服务中心开展大病康复等服务"),
        new("xiantao-chc", CareService.HomeVisits, new(2024, 5, 17), $"{Yubei}：21家基层医疗机构均能为居家老人提供上门巡诊服务"),
        new("xiantao-chc", CareService.HomeSickbeds, new(2024, 5, 17), $"{Yubei}：8家医疗机构设置家庭病床"),
        .. Enumerable.Range(1, DemoPlaceholders.YubeiPrimaryCare).Select(n => new Entry($"yb-pc-{n:D2}", CareService.HomeVisits, new(2024, 5, 17),
            $"{Yubei}：21家基层医疗机构均能为居家老人提供上门巡诊服务")),
        .. Enumerable.Range(1, DemoPlaceholders.YubeiSickbeds).Select(n => new Entry($"yb-pc-{n:D2}", CareService.HomeSickbeds, new(2024, 5, 17),
            $"{Yubei}：8家医疗机构设置家庭病床")),
    ];
}
