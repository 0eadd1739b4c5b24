using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Marten;
using CareRegistry.Common;
using CareRegistry.Demo;
using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CareRegistry.Tests.Demo;

public class DemoUsccTests
{
    [Fact]
    public void Demo_uscc_codes_are_valid_unique_and_marked()
    {
        var codes = DemoInstitutions.All.Select(DemoInstitutions.UsccFor).ToList();
        Assert.All(codes, c => Assert.Null(Uscc.Problem(c)));
        Assert.All(codes, c => Assert.Equal("DM", c[8..10]));
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }
}

// The demo is loaded once for this class (thousands of placeholders): every test reads it and none writes.
[Collection(RegistryCollection.Name)]
public class DemoReplyTests(RegistryFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static Task? _loaded;
    private static readonly Lock Gate = new();

    private HttpClient Client => fixture.Client;

    public Task InitializeAsync()
    {
        lock (Gate) return _loaded ??= LoadAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task LoadAsync()
    {
        await fixture.ResetAsync();
        var clock = Stopwatch.StartNew();
        var log = new StringWriter();
        Assert.True(await new DemoLoader(fixture.Anonymous, log, fixture.Tokens).LoadAsync());
        var loaded = clock.Elapsed;
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(fixture.Host, TimeSpan.FromMinutes(5));
        output.WriteLine($"{log} loaded in {loaded.TotalSeconds:F1} s, projected in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.False(await new DemoLoader(fixture.Anonymous, TextWriter.Null, fixture.Tokens).LoadAsync());
    }

    private async Task<Dictionary<string, JsonNode>> Table(string jurisdiction, string day)
    {
        var table = (await Client.Get($"/api/statistics/integrated-care?jurisdiction={jurisdiction}&asOf={day}")).ShouldBe(HttpStatusCode.OK);
        return table["figures"].AsArray().ToDictionary(f => f!["key"]!.GetValue<string>(), f => f!);
    }

    private static decimal? Value(Dictionary<string, JsonNode> t, string key) => t[key]["value"]?.GetValue<decimal>();

    private async Task<JsonNode> View(string name, string day)
    {
        var id = (await Client.Get("/api/institutions?q=" + Uri.EscapeDataString(name)))["items"].AsArray()[0]!["id"]!.GetValue<string>();
        return (await Client.Get($"/api/institutions/{id}?asOf={day}")).Body!;
    }

    [Fact]
    public async Task Guandu_on_2019_06_19()
    {
        var t = await Table("530111", "2019-06-19");
        Assert.Equal(525_229, t["elderly-share-percent"]["denominator"]!.GetValue<int>());   // 户籍人口总数525229人
        Assert.Equal(114_208, t["elderly-share-percent"]["numerator"]!.GetValue<int>());     // 60岁以上老年人114208人
        Assert.Equal(21.74m, Value(t, "elderly-share-percent"));                                // 占21.74%
        Assert.Equal(35, Value(t, "community-care-centres"));                                   // 35家社区居家养老服务中心
        Assert.Equal(14, Value(t, "elderly-care-institutions"));                                // 养老机构14家
        Assert.True(Value(t, "elderly-care-beds") > 5_000);                                     // 养老床位超过5千张
        // "平均每千名户籍老年人拥有床位39张": over 5,000 beds for 114,208 elders is over 43.8 (docs/monitoring.md).
        Assert.True(Value(t, "elderly-care-beds-per-1000-elders") > 43.8m);
        Assert.Equal(5, Value(t, "designated-integrated-care-pilots"));                         // 5家…昆明市第一批医养结合工作试点单位
        Assert.Equal("530111", t["designated-jurisdictions-integrated-care-pilot"]["note"]!.GetValue<string>()); // 2016年云南省医养结合试点单位
        Assert.Equal(9, Value(t, "medical-institutions-with-referral"));                        // 8家社区卫生服务中心与区人民医院双向转诊
        var hospital = await View("官渡区人民医院", "2019-06-19");
        Assert.Equal(8 + 5, hospital["activePartnerships"]!.AsArray().Count);                  // …与5家省、市级医院签订双向转诊协议
        Assert.Equal("operating", (await View("官渡区养老综合服务示范中心", "2019-06-19"))["status"]!.GetValue<string>()); // 2019年3月27日启动
        Assert.Equal(["day-care", "dementia-care", "rehabilitation"], (await View("官渡区养老综合服务示范中心", "2019-06-19"))["services"]!.AsArray().Select(s => s!.GetValue<string>())); // 日间照料、失智护理单元、康复中心
    }

    [Fact]
    public async Task Xishan_on_2022_10_19()
    {
        var t = await Table("530112", "2022-10-19");
        Assert.Equal(26, Value(t, "elderly-care-institutions"));                                // 在民政部门备案的养老机构26家
        Assert.Equal(8, Value(t, "integrated-care-with-medical"));                              // 养老、医疗双证齐全的仅有8家
        Assert.Equal(3, Value(t, "designated-integrated-care-pilots"));                         // 3家于2017年定为医养结合机构试点
        Assert.Equal(3, Value(await Table("530112", "2017-01-01"), "designated-integrated-care-pilots"));
        var homes = (await Client.Get("/api/institutions?jurisdiction=530112&careInstitution=true&asOf=2022-10-19&limit=100"))["items"].AsArray();
        Assert.Equal((1, 25), (homes.Count(h => h!["ownership"]!.GetValue<string>() == "public"), homes.Count(h => h!["ownership"]!.GetValue<string>() == "private"))); // 公办1家，民办25家
        Assert.Contains("internal-clinic", (await View("观音山养老中心", "2022-10-19"))["permits"]!.AsArray().Select(p => p!["type"]!.GetValue<string>())); // 内设医务室
        Assert.Equal("2014-06-01", (await View("广福养老中心", "2022-10-19"))["establishedOn"]!.GetValue<string>()); // 广福医院2014年建立广福养老中心
    }

    [Fact]
    public async Task Mianyang_on_2017_09_26()
    {
        var t = await Table("5107", "2017-09-26");
        Assert.Equal(1_198_700, t["elderly-care-beds-per-1000-elders"]["denominator"]!.GetValue<int>()); // 60岁及以上人口119.87万人
        Assert.Equal(266, Value(t, "elderly-care-institutions"));                               // 各类养老机构266个
        Assert.Equal(38_000, Value(t, "elderly-care-beds"));                                    // 养老床位3.8万张
        Assert.Equal(31.7m, Value(t, "elderly-care-beds-per-1000-elders"));                     // printed 33: 38,000 / 1,198,700 is 31.7
        Assert.Equal(40, Value(t, "care-homes-with-internal-clinic"));                          // 40家养老机构内设医务室
        Assert.Equal(15.0m, Value(t, "care-homes-with-internal-clinic-percent"));               // 占15%
        Assert.Equal(10, Value(t, "care-homes-with-internal-medical-institution"));             // 养老机构内设医疗机构10家
        Assert.Equal(3.8m, Value(t, "care-homes-with-internal-medical-institution-percent"));   // 占3.8%
        Assert.Equal(218, Value(t, "care-homes-with-partnership"));                             // 同医疗机构建立合作关系的218家
        Assert.Equal(82.0m, Value(t, "care-homes-with-partnership-percent"));                   // printed 81.2%: 218 / 266 is 82.0%
        Assert.Equal(4_364, Value(t, "medical-institutions"));                                  // 各级各类医疗卫生机构4364个
        Assert.Equal(17, Value(t, "medical-institutions-grade-3"));                             // 三级医院17家
        Assert.Equal(49, Value(t, "medical-institutions-grade-2"));                             // 二级医院49家
        Assert.Equal(35, Value(t, "community-care-centres"));                                   // 区域性养老服务中心35个
        Assert.Equal(782, Value(t, "day-care-centres"));                                        // 社区老年人日间照料中心782个
        Assert.Equal(503, Value(t, "rural-mutual-aid-homes"));                                  // 农村幸福院503个
        Assert.Equal("510704", t["designated-jurisdictions-smart-healthy-ageing-demonstration"]["note"]!.GetValue<string>()); // 游仙 智慧养老健康基地示范
        Assert.Equal(54, (await View("富乐老年康复护理服务中心", "2017-09-26"))["beds"]!["elderlyCare"]!.GetValue<int>()); // 设床位54张
        Assert.Equal(["day-care", "hospice", "rehabilitation"], (await View("西山社区卫生服务中心", "2015-09-01"))["services"]!.AsArray().Select(s => s!.GetValue<string>()));
        // 涪城区西山社区卫生服务中心's care unit, in use since 2015-09.
        Assert.Equal(0, (await View("西山社区卫生服务中心", "2015-08-31"))["beds"]!["elderlyCare"]!.GetValue<int>());
        Assert.True((await View("西山社区卫生服务中心", "2015-09-01"))["beds"]!["elderlyCare"]!.GetValue<int>() > 0);
    }

    [Fact]
    public async Task Guizhou_on_2019_07_22()
    {
        var t = await Table("52", "2019-07-22");
        Assert.Equal(40, Value(t, "integrated-institutions"));                                  // 医养结合机构数达到40个
        Assert.Equal(9_612, Value(t, "integrated-beds"));                                       // 床位数达到9612张
        Assert.Equal(428, Value(t, "medical-institutions-with-care-partnership"));              // 与养老机构建立协作关系的医疗卫生机构428个
        Assert.Equal(35, Value(t, "designated-integrated-care-demonstrations"));                // 省级医养结合服务示范单位35个
        Assert.Equal(3, Value(t, "designated-jurisdictions-integrated-care-pilot"));            // 贵阳市、遵义市和铜仁市 国家级医养结合试点
        Assert.Equal("5201, 5203, 5206", t["designated-jurisdictions-integrated-care-pilot"]["note"]!.GetValue<string>());
        Assert.Equal(4_200, Value(t, "rural-mutual-aid-homes"));                                // 4200个农村幸福院
        Assert.Equal(1_051, Value(t, "community-care-centres-and-stations"));                   // 城市社区居家养老服务中心(站)1051个
        Assert.Equal(369, Value(t, "day-care-centres"));                                        // 社区老年人日间照料中心369个
    }

    [Fact]
    public async Task Yubei_on_2024_05_17()
    {
        var t = await Table("500112", "2024-05-17");
        Assert.Equal(7, Value(t, "integrated-institutions"));                                   // 全区医养结合机构7家
        Assert.Equal(1_465, Value(t, "integrated-beds"));                                       // 医养结合床位1465张
        Assert.Equal(22, Value(t, "community-care-centres"));                                   // 22个镇街养老服务中心
        Assert.Equal(158, Value(t, "community-care-stations"));                                 // 158个社区养老服务站
        Assert.Equal(101, Value(t, "rural-mutual-aid-homes"));                                  // 101个互助养老点
        Assert.Equal(61, Value(t, "elderly-care-institutions"));                                // 61家养老机构（含…镇街养老服务中心）
        Assert.Equal(61, Value(t, "care-homes-with-partnership"));
        Assert.Equal(100m, Value(t, "care-homes-with-partnership-percent"));                    // 签约覆盖率100%
        Assert.Equal(110, Value(t, "medical-nursing-rehabilitation-beds"));                     // 设置康复、护理床位110张
        Assert.Equal(3, Value(t, "medical-institutions-with-care-beds"));                       // 3家医疗机构通过设置养老床位提供医养结合服务
        Assert.Equal(3, Value(t, "integrated-medical-with-care"));
        Assert.Equal(4, Value(t, "integrated-care-with-medical"));                              // 4家养老机构通过内设护理院、医务室等方式
        Assert.Equal(4, Value(t, "care-homes-with-internal-clinic"));
        Assert.Equal(1, Value(t, "designated-remote-care-pilots"));                             // 悦来…全国首批医养结合远程协同服务试点机构
        Assert.Equal(8, Value(t, "services-home-sickbeds"));                                    // 8家医疗机构设置家庭病床
        Assert.Equal(21, Value(t, "services-home-visits"));                                     // 21家基层医疗机构…上门巡诊服务
        var homesForAged = (await Client.Get("/api/institutions?jurisdiction=500112&careInstitution=true&asOf=2024-05-17&limit=100&q=" + Uri.EscapeDataString("敬老院")))["items"].AsArray();
        Assert.Equal(12, homesForAged.Count);                                                   // 敬老院12个
        Assert.Contains("仙桃街道养老服务中心", (await Client.Get("/api/institutions?jurisdiction=500112&careInstitution=true&designation=&asOf=2024-05-17&limit=100"))["items"]
            .AsArray().Select(i => i!["name"]!.GetValue<string>()));
        // An internal clinic applied for before the move to filing is pending until granted; one filed after is in force at once.
        string ClinicStatus(JsonNode view) => view["permits"]!.AsArray().Single(p => p!["type"]!.GetValue<string>() == "internal-clinic")!["status"]!.GetValue<string>();
        Assert.Equal("pending", ClinicStatus(await View("大湾镇敬老院", "2017-07-01")));
        Assert.Equal("active", ClinicStatus(await View("大湾镇敬老院", "2017-10-01")));
        Assert.Equal("active", ClinicStatus(await View("悦来老年康养中心", "2019-03-01")));
        Assert.Equal("remote-care-pilot", (await View("悦来老年康养中心", "2024-05-17"))["designations"]!.AsArray().Single()!["programme"]!.GetValue<string>());
    }

    // The standing projection derives an institution's facts in sections, each over only its own change days and
    // kept while its inputs are the same; reads derive them whole, over every change day. Folding the demo's whole log,
    // after every event every institution it concerns must get the same facts both ways: a section split at too few
    // days, or kept after its inputs changed, shows here.
    [Fact]
    public async Task Every_event_of_the_demo_derives_the_same_facts_in_sections_as_whole()
    {
        await using var session = fixture.Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        var standings = new Dictionary<Guid, InstitutionStanding>();
        var (sectioned, whole) = (new List<StandingFact.Same>(), new List<StandingFact.Same>());
        var (compared, unchanged) = (0, 0);
        var last = new Dictionary<Guid, List<StandingFact.Same>>();
        foreach (var e in events)
        foreach (var id in StandingProjection.Concerned(e))
        {
            if (!standings.TryGetValue(id, out var standing)) standings[id] = standing = new InstitutionStanding { Id = id };
            await standing.ApplyAsync(session, e, CancellationToken.None);
            sectioned.Clear();
            whole.Clear();
            var changed = standing.DeriveInto(sectioned);
            standing.DeriveInto(whole, sectioned: false);
            Assert.True(sectioned.ToHashSet().SetEquals(whole) && sectioned.Count == whole.Count,
                $"event {e.Sequence} ({e.EventTypeName}) for {id}: only in sections {string.Join("; ", sectioned.Except(whole))}; only whole {string.Join("; ", whole.Except(sectioned))}");
            // Unchanged (the projection then skips its reconcile) only when the facts are the last event's, in any order.
            Assert.True(changed || (sectioned.Count == last[id].Count && sectioned.ToHashSet().SetEquals(last[id])), $"event {e.Sequence} ({e.EventTypeName}) for {id}: said unchanged, but the facts differ");
            if (!changed) unchanged++;
            last[id] = [.. sectioned];
            compared++;
        }
        output.WriteLine($"{events.Count} events, {standings.Count} institutions, {compared} comparisons, {unchanged} unchanged");
        Assert.True(compared > 1_000);
        Assert.True(unchanged > 0, "an inspection's closing leaves its institutions' facts as they were");
    }

    // Every event on an institution's, permit's, inspection's or agreement's stream reaches its snapshot, whichever slice
    // recorded it (the demo's designations are health's, on the institutions' streams): each stored snapshot is what its
    // events fold to, version included.
    [Fact]
    public async Task Every_snapshot_of_the_demo_is_what_its_events_fold_to()
    {
        var report = await CareRegistry.Audit.ReplayCheck.CompareAsync(fixture.Store, CancellationToken.None);
        Assert.True(report.Status == "ok", $"{report.Differences.Count} of {report.ModelsChecked} differ, e.g. "
            + string.Join("\n", report.Differences.Take(2).Select(d => $"{d.Model} {d.Id}:\n  stored   {d.Stored}\n  replayed {d.Replayed}")));
        Assert.True(report.ModelsChecked > 10_000);
    }

    [Fact]
    public async Task Named_institutions_keep_their_stories_and_placeholders_say_what_they_are()
    {
        Assert.Single((await View("万鸿颐养院", "2017-09-26"))["activePartnerships"]!.AsArray());
        Assert.Contains("rectification-overdue", (await View("观音山养老中心", "2022-10-19"))["alerts"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(4, (await View("柏寿老年公寓", "2019-06-19"))["demeritPoints"]!.GetValue<int>());
        var placeholder = await View("西山区示例养老机构05", "2022-10-19");
        Assert.StartsWith("Placeholder: ", placeholder["latinName"]!.GetValue<string>());
        Assert.Contains("西卫函〔2022〕78号", placeholder["latinName"]!.GetValue<string>());
        // No invented revocation: the placeholder's licence, if any, was never revoked.
        Assert.DoesNotContain(placeholder["permits"]!.AsArray(), p => p!["status"]!.GetValue<string>() == "revoked");
        var history = (await Client.Get($"/api/institutions/{placeholder["id"]!.GetValue<string>()}/history"))["items"].AsArray();
        Assert.Equal("demo", history[0]!["source"]!.GetValue<string>());
    }
}
