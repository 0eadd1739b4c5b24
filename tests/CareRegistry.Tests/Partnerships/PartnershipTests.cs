using System.Net;
using CareRegistry.Partnerships;
using CareRegistry.Tests.Infrastructure;

namespace CareRegistry.Tests.Partnerships;

public class PartnershipDecisionTests
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static Partnership Signed() => Partnership.Begin(new PartnershipSigned(Guid.NewGuid(), PartnershipKind.CareMedical, [Guid.NewGuid(), Guid.NewGuid()],
        [PartnershipService.EmergencyCare], D(2020, 1, 1), D(2022, 12, 31)));

    [Fact]
    public void An_agreement_expires_by_date_and_a_renewal_extends_it_from_its_date()
    {
        var renewed = Signed().With(new PartnershipRenewed(Guid.Empty, D(2022, 12, 1), D(2025, 12, 31)));
        Assert.Equal("not-yet-valid", Signed().StatusOn(D(2019, 12, 31)));
        Assert.Equal("active", Signed().StatusOn(D(2022, 12, 31)));
        Assert.Equal("expired", Signed().StatusOn(D(2023, 1, 1)));
        Assert.Equal("active", renewed.StatusOn(D(2023, 1, 1)));
        Assert.Equal(D(2022, 12, 31), renewed.ValidToOn(D(2022, 11, 30)));
        Assert.Equal("terminated", renewed.With(new PartnershipTerminated(Guid.Empty, D(2024, 1, 1), "x")).StatusOn(D(2024, 1, 1)));
    }

    [Fact]
    public void Renewal_and_termination_are_refused_when_they_do_not_apply()
    {
        var terminated = Signed().With(new PartnershipTerminated(Guid.Empty, D(2021, 1, 1), "x"));
        Assert.Equal(409, new RenewPartnership(D(2021, 6, 1), D(2030, 1, 1)).Check(terminated).Status);
        Assert.Equal(409, new TerminatePartnership(D(2021, 6, 1), "again").Check(terminated).Status);
        Assert.Equal(409, new RenewPartnership(D(2021, 6, 1), D(2022, 6, 1)).Check(Signed()).Status);
        Assert.Equal(409, new TerminatePartnership(D(2023, 6, 1), "after expiry").Check(Signed()).Status);
    }
}

public class PartnershipHttpTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    [Fact]
    public async Task Both_parties_see_the_agreement_while_it_is_active_and_it_expires_and_renews()
    {
        var home = await Client.Register(Scenario.CareHome("万鸿颐养院", "510704"));
        var hospital = await Client.Register(Scenario.Hospital("游仙区人民医院", "510704"));
        var id = (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [home, hospital],
            [PartnershipService.ScheduledVisits, PartnershipService.GreenChannel], D(2017, 1, 1), D(2019, 12, 31)))).ShouldBe(HttpStatusCode.Created).Id;

        async Task<int> Partners(Guid institution, string day) => (await Client.Get($"/api/institutions/{institution}?asOf={day}"))["activePartnerships"].AsArray().Count;
        Assert.Equal(1, await Partners(home, "2018-06-01"));
        Assert.Equal(1, await Partners(hospital, "2018-06-01"));
        Assert.Equal(0, await Partners(home, "2020-01-01"));

        (await Client.Post($"/api/partnerships/{id}/renewal", new RenewPartnership(D(2020, 2, 1), D(2022, 12, 31)))).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, await Partners(home, "2020-01-15"));
        Assert.Equal(1, await Partners(home, "2020-02-01"));
        Assert.Equal("active", (await Client.Get($"/api/partnerships/{id}?asOf=2021-01-01"))["status"].GetValue<string>());
        Assert.Single((await Client.Get($"/api/partnerships?institutionId={home}&activeOn=2021-01-01"))["items"].AsArray());
        Assert.Empty((await Client.Get($"/api/partnerships?institutionId={home}&activeOn=2020-01-15"))["items"].AsArray());

        (await Client.Post($"/api/partnerships/{id}/termination", new TerminatePartnership(D(2021, 6, 30), "医院调整"))).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, await Partners(hospital, "2021-07-01"));
        var history = (await Client.Get($"/api/institutions/{hospital}/history"))["items"].AsArray().Select(i => i!["type"]!.GetValue<string>());
        Assert.Equal(["institution-registered", "partnership-signed", "partnership-renewed", "partnership-terminated"], history);
    }

    // The list filters activeOn in memory and reads the documents a page at a time: a page skips any number of
    // agreements not active that day, and the cursor goes on after the last one it returned.
    [Fact]
    public async Task A_page_of_agreements_active_on_a_day_skips_the_others_and_pages_on_in_id_order()
    {
        var home = await Client.Register(Scenario.CareHome("万鸿颐养院", "510704"));
        var active = new HashSet<Guid>();
        for (var n = 0; n < 6; n++)
        {
            var hospital = await Client.Register(Scenario.Hospital($"游仙区第{n}医院", "510704"));
            var until = n % 3 == 0 ? D(2022, 12, 31) : D(2019, 12, 31);
            var id = (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [home, hospital],
                [PartnershipService.ScheduledVisits], D(2017, 1, 1), until))).ShouldBe(HttpStatusCode.Created).Id;
            if (n % 3 == 0) active.Add(id);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await Client.Get($"/api/partnerships?institutionId={home}&activeOn=2021-01-01&limit=1" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(page["items"]!.AsArray().Select(x => Guid.Parse(x!["id"]!.GetValue<string>())));
            cursor = page.Body?["next"]?.GetValue<string>();
        } while (cursor is not null && seen.Count < 10);

        Assert.Equal(active.Order(), seen);
        Assert.Equal(6, (await Client.Get($"/api/partnerships?institutionId={home}&limit=10"))["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Parties_must_fit_the_kind()
    {
        var home = await Client.Register(Scenario.CareHome());
        var other = await Client.Register(Scenario.CareHome("另一家"));
        var hospital = await Client.Register(Scenario.Hospital());
        (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [home, other], [PartnershipService.EmergencyCare], D(2020, 1, 1), D(2021, 1, 1))))
            .ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.Referral, [home, hospital], [PartnershipService.TwoWayReferral], D(2020, 1, 1), D(2021, 1, 1))))
            .ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [home, home], [PartnershipService.EmergencyCare], D(2020, 1, 1), D(2021, 1, 1))))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "partyIds");
        (await Client.PostRaw("/api/partnerships", """{"kind":"care-medical","partyIds":[],"services":["massage"],"validFrom":"2020-01-01","validTo":"2021-01-01"}"""))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "services[0]");
    }
}
