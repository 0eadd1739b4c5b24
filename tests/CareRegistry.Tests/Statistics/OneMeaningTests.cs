using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Statistics;

// Rule 4 of issue 16: a 养老机构 is one definition (not a medical institution, an elderly-care permit or filing in
// force), and the table, the search filter careInstitution and the care-home-without-partnership alert agree on it.
public class OneMeaningTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);
    private const string District = "500112";

    private async Task<Dictionary<string, JsonNode>> Table(string query)
    {
        await Fixture.Projected();
        var table = (await Client.Get($"/api/statistics/integrated-care?{query}")).ShouldBe(HttpStatusCode.OK);
        return table["figures"].AsArray().ToDictionary(f => f!["key"]!.GetValue<string>(), f => f!);
    }

    private static decimal? Value(Dictionary<string, JsonNode> t, string key) => t[key]["value"]?.GetValue<decimal>();

    private static List<Guid> IdsOf(Dictionary<string, JsonNode> t, string key) =>
        t[key]["institutionIds"]!.AsArray().Select(x => x!.GetValue<Guid>()).Order().ToList();

    private async Task<List<Guid>> Search(string query) =>
        (await Client.Get($"/api/institutions?{query}&limit=100")).ShouldBe(HttpStatusCode.OK)["items"].AsArray()
        .Select(i => i!["id"]!.GetValue<Guid>()).Order().ToList();

    private RegisterInstitution Facility(string name, InstitutionKind kind, BedsInput beds) =>
        new(name, null, Scenario.NewUscc(District), kind, null, null, Ownership.Public, District, "渝北区", beds, null, null, D(2015, 1, 1));

    [Fact]
    public async Task A_care_institution_is_one_with_an_elderly_care_permit_in_force_in_the_table_the_search_and_the_alerts()
    {
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        await Client.Regime("00", PermitType.InternalClinic, Regime.Filing, D(2017, 11, 8));
        var filedHome = await Client.Register(Scenario.CareHome("甲养老院", District));
        var unfiledHome = await Client.Register(Scenario.CareHome("乙养老院", District));
        // A street-level care centre (镇街养老服务中心) filed as a care institution with a clinic: Yubei counts it among its 61.
        var streetCentre = await Client.Register(Facility("仙桃街道养老服务中心", InstitutionKind.CommunityCareCentre, new BedsInput(ElderlyCare: 60, Nursing: 10)));
        // A community centre without a filing: a community facility, not a care institution.
        var communityCentre = await Client.Register(Facility("某社区居家养老服务中心", InstitutionKind.CommunityCareCentre, new BedsInput()));
        var dayCare = await Client.Register(Facility("某日间照料中心", InstitutionKind.DayCareCentre, new BedsInput()));
        var station = await Client.Register(Facility("某社区养老服务站", InstitutionKind.CommunityCareStation, new BedsInput()));
        var ruralHome = await Client.Register(Facility("某村农村幸福院", InstitutionKind.RuralMutualAidHome, new BedsInput()));
        var hospital = await Client.Register(Scenario.Hospital("丙医院", District));
        foreach (var filed in new[] { filedHome, streetCentre })
            (await Client.Submit(filed, PermitType.ElderlyCare, D(2019, 6, 1))).ShouldBe(HttpStatusCode.Created);
        (await Client.Submit(streetCentre, PermitType.InternalClinic, D(2020, 7, 1))).ShouldBe(HttpStatusCode.Created);
        var licence = (await Client.Submit(hospital, PermitType.MedicalPractice, D(2010, 1, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await Client.Grant(hospital, licence, D(2010, 2, 1), D(2035, 12, 31))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [streetCentre, hospital], [PartnershipService.EmergencyCare],
            D(2021, 1, 1), D(2030, 12, 31)))).ShouldBe(HttpStatusCode.Created);

        var t = await Table($"jurisdiction={District}&asOf=2024-05-17&include=ids");
        var care = new[] { filedHome, streetCentre }.Order().ToList();
        Assert.Equal(care, IdsOf(t, "elderly-care-institutions"));
        Assert.Equal(care, await Search($"jurisdiction={District}&careInstitution=true&asOf=2024-05-17"));
        Assert.Equal(new[] { unfiledHome, communityCentre, dayCare, station, ruralHome, hospital }.Order(),
            await Search($"jurisdiction={District}&careInstitution=false&asOf=2024-05-17"));
        // Beds of the two care institutions, nursing beds included; the unfiled home's beds are not 养老床位.
        Assert.Equal(100 + 20 + 60 + 10, Value(t, "elderly-care-beds"));
        // The street centre holds a clinic filing: among care homes with an internal clinic and with medical care inside.
        Assert.Equal([streetCentre], IdsOf(t, "care-homes-with-internal-clinic"));
        Assert.Equal([streetCentre], IdsOf(t, "integrated-care-with-medical"));
        Assert.Equal(50.0m, Value(t, "care-homes-with-internal-clinic-percent"));
        Assert.Equal([streetCentre], IdsOf(t, "care-homes-with-partnership"));
        Assert.Equal([hospital], IdsOf(t, "medical-institutions-with-care-partnership"));
        // Community facilities are counted by kind, the filed street centre among them as well.
        Assert.Equal(2, Value(t, "community-care-centres"));
        Assert.Equal(1, Value(t, "community-care-stations"));
        Assert.Equal(3, Value(t, "community-care-centres-and-stations"));
        Assert.Equal(1, Value(t, "day-care-centres"));
        Assert.Equal(1, Value(t, "rural-mutual-aid-homes"));

        // The alert names exactly the care institutions without a partner: the filed home, not the unfiled one.
        var alerts = (await Client.Get($"/api/alerts?jurisdiction={District}&type=care-home-without-partnership&asOf=2024-05-17")).ShouldBe(HttpStatusCode.OK)["items"]
            .AsArray().Select(a => a!["institutionId"]!.GetValue<Guid>()).ToList();
        Assert.Equal([filedHome], alerts);
        Assert.Equal(Value(t, "elderly-care-institutions") - Value(t, "care-homes-with-partnership"), alerts.Count);
    }

    [Fact]
    public async Task The_total_registered_population_stands_beside_the_elderly_one()
    {
        // Guandu's reply: 525,229 registered, 114,208 aged 60+ (21.74%).
        (await Client.Post("/api/jurisdictions/530111/population", new CareRegistry.Jurisdictions.RecordPopulation(114_208, null, 17_006, D(2018, 12, 31), "官卫〔2019〕16号", 525_229)))
            .ShouldBe(HttpStatusCode.OK);
        var t = await Table("jurisdiction=530111&asOf=2019-06-19");
        Assert.Equal(21.74m, Value(t, "elderly-share-percent"));
        Assert.Equal((114_208, 525_229), (t["elderly-share-percent"]["numerator"]!.GetValue<int>(), t["elderly-share-percent"]["denominator"]!.GetValue<int>()));
        (await Client.Post("/api/jurisdictions/530111/population", new CareRegistry.Jurisdictions.RecordPopulation(114_208, null, null, D(2018, 12, 31), "x", 100)))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "total");
        Assert.Null(Value(await Table("jurisdiction=530112&asOf=2019-06-19"), "elderly-share-percent"));
    }
}
