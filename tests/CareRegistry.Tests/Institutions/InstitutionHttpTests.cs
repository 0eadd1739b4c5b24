using System.Net;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using Marten;

namespace CareRegistry.Tests.Institutions;

public class InstitutionHttpTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private async Task<int> EventCount()
    {
        await using var session = Fixture.Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }

    [Fact]
    public async Task Registering_answers_201_with_location_etag_and_the_new_stream()
    {
        var answer = (await Client.Post("/api/institutions", Scenario.CareHome("柏寿老年公寓"))).ShouldBe(HttpStatusCode.Created);

        Assert.Equal($"/api/institutions/{answer.Id}", answer.Headers.Location?.ToString());
        Assert.Equal("\"1\"", answer.Headers.ETag?.Tag);
        Assert.Equal(1, answer.Version);

        var view = (await Client.Get($"/api/institutions/{answer.Id}")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("柏寿老年公寓", view["name"].GetValue<string>());
        Assert.Equal("elderly-care", view["kind"].GetValue<string>());
        Assert.Equal(120, view["beds"]["total"]!.GetValue<int>());
        Assert.Equal("operating", view["status"].GetValue<string>());
        Assert.Equal("\"1\"", view.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task A_second_institution_with_the_same_uscc_is_refused()
    {
        var first = Scenario.CareHome();
        await Client.Register(first);

        var second = await Client.Post("/api/institutions", Scenario.CareHome("另一家养老院", uscc: first.Uscc!.ToLowerInvariant()));

        second.ShouldBeProblem(HttpStatusCode.Conflict);
        Assert.Contains(first.Uscc, second["detail"].GetValue<string>());
        Assert.Equal(1, await EventCount());
    }

    public static TheoryData<string, string> BadRegistrations => new()
    {
        { """{"name":""" , "body" },
        { """[1,2,3]""", "body" },
        { """{"name":123}""", "name" },
        { """{"name":"x","kind":"hospital"}""", "kind" },
        { """{"name":"x","kind":1}""", "kind" },
        { """{"name":"x","beds":{"elderlyCare":"many"}}""", "beds.elderlyCare" },
        { """{"name":"x","establishedOn":"2020-02-30"}""", "establishedOn" },
        { """{"name":"x","name":"y"}""", "body" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task Unreadable_bodies_are_400_problems_naming_the_field(string body, string field)
    {
        (await Client.PostRaw("/api/institutions", body)).ShouldBeProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(0, await EventCount());
    }

    public static TheoryData<string> InvalidFields => ["name", "uscc", "jurisdiction", "beds.nursing", "address", "kind"];

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Invalid_values_are_400_problems_naming_the_field(string field)
    {
        var valid = Scenario.CareHome();
        var command = field switch
        {
            "name" => valid with { Name = new string('长', 201) },
            "uscc" => valid with { Uscc = valid.Uscc![..17] + (valid.Uscc[17] == '0' ? '1' : '0') },
            "jurisdiction" => valid with { Jurisdiction = "5301" },
            "beds.nursing" => valid with { Beds = new BedsInput(Nursing: -1) },
            "address" => valid with { Address = "  " },
            "kind" => valid with { Kind = null },
            _ => throw new ArgumentException(field),
        };

        (await Client.Post("/api/institutions", command)).ShouldBeProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(0, await EventCount());
    }

    [Fact]
    public async Task A_wrong_content_type_is_refused_without_writing()
    {
        var answer = await Client.PostRaw("/api/institutions", "name=x", contentType: "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Equal(0, await EventCount());
    }

    [Fact]
    public async Task Changing_beds_moves_the_version_and_honours_if_match()
    {
        var id = await Client.Register(Scenario.CareHome());
        var change = new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(ElderlyCare: 150, Nursing: 30), "expansion");

        var accepted = (await Client.Post($"/api/institutions/{id}/beds", change, ifMatch: "\"1\"")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(2, accepted.Version);
        Assert.Equal("\"2\"", accepted.Headers.ETag?.Tag);

        var stale = await Client.Post($"/api/institutions/{id}/beds", change with { Beds = new BedsInput(ElderlyCare: 1) }, ifMatch: "\"1\"");
        stale.ShouldBeProblem(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, await EventCount());

        var view = (await Client.Get($"/api/institutions/{id}")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(180, view["beds"]["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Concurrent_changes_without_if_match_all_apply_in_turn()
    {
        var id = await Client.Register(Scenario.CareHome());

        var answers = await Task.WhenAll(Enumerable.Range(1, 8).Select(n =>
            Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2020, 1, n), new BedsInput(ElderlyCare: n), null))));

        Assert.All(answers, a => a.ShouldBe(HttpStatusCode.OK));
        Assert.Equal(Enumerable.Range(2, 8).Select(v => (long)v), answers.Select(a => a.Version).Order());
        Assert.Equal(9, await EventCount());
    }

    [Fact]
    public async Task Concurrent_changes_with_the_same_if_match_let_exactly_one_through()
    {
        var id = await Client.Register(Scenario.CareHome());

        var answers = await Task.WhenAll(Enumerable.Range(1, 6).Select(n =>
            Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2020, 1, n), new BedsInput(ElderlyCare: n), null), ifMatch: "\"1\"")));

        Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a => a.ShouldBeProblem(HttpStatusCode.PreconditionFailed));
        Assert.Equal(2, await EventCount());
    }

    [Fact]
    public async Task Unknown_ids_are_404_problems()
    {
        var unknown = Guid.NewGuid();
        (await Client.Get($"/api/institutions/{unknown}")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Get($"/api/institutions/{unknown}/history")).ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Post($"/api/institutions/{unknown}/beds", new ChangeBeds(new DateOnly(2020, 1, 1), new BedsInput(), null)))
            .ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Post($"/api/institutions/{unknown}/closure", new CloseInstitution(new DateOnly(2020, 1, 1), "x")))
            .ShouldBeProblem(HttpStatusCode.NotFound);
        (await Client.Post("/api/institutions", Scenario.CareHome(predecessorId: unknown))).ShouldBeProblem(HttpStatusCode.NotFound);
        Assert.Equal(0, await EventCount());
    }

    [Fact]
    public async Task Closing_shows_in_the_view_and_refuses_later_changes()
    {
        var id = await Client.Register(Scenario.CareHome());
        (await Client.Post($"/api/institutions/{id}/closure", new CloseInstitution(new DateOnly(2023, 6, 30), "停业"))).ShouldBe(HttpStatusCode.OK);

        var view = (await Client.Get($"/api/institutions/{id}")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("closed", view["status"].GetValue<string>());
        Assert.Equal("2023-06-30", view["closedOn"].GetValue<string>());
        Assert.Equal("operating", (await Client.Get($"/api/institutions/{id}?asOf=2023-06-29"))["status"].GetValue<string>());

        (await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2024, 1, 1), new BedsInput(ElderlyCare: 1), null)))
            .ShouldBeProblem(HttpStatusCode.Conflict);
        (await Client.Post($"/api/institutions/{id}/closure", new CloseInstitution(new DateOnly(2024, 1, 1), "again")))
            .ShouldBeProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Details_change_keeps_what_was_not_sent()
    {
        var id = await Client.Register(Scenario.CareHome("旧名养老院"));
        (await Client.Post($"/api/institutions/{id}/details",
            new ChangeInstitutionDetails("新名养老院", null, null, CareRegistry.Common.Ownership.PublicBuiltPrivateOperated, new DateOnly(2020, 1, 1), "renamed")))
            .ShouldBe(HttpStatusCode.OK);

        var view = await Client.Get($"/api/institutions/{id}");
        Assert.Equal("新名养老院", view["name"].GetValue<string>());
        Assert.Equal("public-built-private-operated", view["ownership"].GetValue<string>());
        Assert.Equal("昆明市官渡区测试路1号", view["address"].GetValue<string>());
        Assert.Equal("旧名养老院", (await Client.Get($"/api/institutions/{id}?asOf=2019-12-31"))["name"].GetValue<string>());
    }

    [Fact]
    public async Task As_of_a_date_places_a_late_entry_where_it_belongs()
    {
        var id = await Client.Register(Scenario.CareHome());
        await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2021, 1, 1), new BedsInput(ElderlyCare: 300), null));
        var beforeLateEntry = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        // Recorded later, effective earlier: it must not override the 2021 figure.
        await Client.Post($"/api/institutions/{id}/beds", new ChangeBeds(new DateOnly(2019, 1, 1), new BedsInput(ElderlyCare: 200), null));

        int Total(Answer a) => a.ShouldBe(HttpStatusCode.OK)["beds"]["total"]!.GetValue<int>();
        Assert.Equal(120, Total(await Client.Get($"/api/institutions/{id}?asOf=2018-12-31")));
        Assert.Equal(200, Total(await Client.Get($"/api/institutions/{id}?asOf=2020-06-01")));
        Assert.Equal(300, Total(await Client.Get($"/api/institutions/{id}")));
        var recorded = Uri.EscapeDataString(beforeLateEntry.ToString("O"));
        Assert.Equal(120, Total(await Client.Get($"/api/institutions/{id}?asOf=2020-06-01&recordedAsOf={recorded}")));
    }

    [Theory]
    [InlineData("asOf=2020-13-01", "asOf")]
    [InlineData("asOf=yesterday", "asOf")]
    [InlineData("recordedAsOf=not-a-time", "recordedAsOf")]
    public async Task Bad_read_parameters_are_400_problems(string query, string field)
    {
        var id = await Client.Register(Scenario.CareHome());
        (await Client.Get($"/api/institutions/{id}?{query}")).ShouldBeProblem(HttpStatusCode.BadRequest, field);
    }
}

public class BatchRegistrationTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static RegisterInstitution Station(string name, string? uscc = null) =>
        new(name, null, uscc ?? Scenario.NewUscc("500112"), InstitutionKind.CommunityCareStation, null, null, Ownership.Public, "500112", "渝北区",
            new BedsInput(), null, null, new DateOnly(2021, 1, 1));

    [Fact]
    public async Task A_batch_registers_every_institution_in_one_transaction_or_none()
    {
        var answer = (await Client.Post("/api/institutions/batch", new RegisterInstitutions([Station("甲社区养老服务站"), Station("乙社区养老服务站")])))
            .ShouldBe(HttpStatusCode.OK);
        var ids = answer["ids"].AsArray().Select(i => i!.GetValue<Guid>()).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal("community-care-station", (await Client.Get($"/api/institutions/{ids[1]}")).ShouldBe(HttpStatusCode.OK)["kind"].GetValue<string>());

        // One taken USCC refuses the whole batch: nothing of it is recorded.
        var taken = (await Client.Get($"/api/institutions/{ids[0]}"))["uscc"].GetValue<string>();
        (await Client.Post("/api/institutions/batch", new RegisterInstitutions([Station("丙社区养老服务站"), Station("丁", taken)]))).ShouldBe(HttpStatusCode.Conflict);
        Assert.Empty((await Client.Get("/api/institutions?q=" + Uri.EscapeDataString("丙社区")))["items"].AsArray());

        var same = Scenario.NewUscc("500112");
        (await Client.Post("/api/institutions/batch", new RegisterInstitutions([Station("戊", same), Station("己", same)])))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "institutions[1].uscc");
        (await Client.Post("/api/institutions/batch", new RegisterInstitutions([Station("") ])))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "institutions[0].name");
        (await Client.Post("/api/institutions/batch", new RegisterInstitutions([]))).ShouldBeProblem(HttpStatusCode.BadRequest, "institutions");
    }

    [Fact]
    public async Task A_batch_records_each_institutions_location_as_a_single_registration_does()
    {
        var answer = (await Client.Post("/api/institutions/batch", new RegisterInstitutions([
                Station("庚社区养老服务站") with { Location = new LocationInput(29.7178, 106.6312, Approximate: true) },
                Station("辛社区养老服务站")])))
            .ShouldBe(HttpStatusCode.OK);
        var ids = answer["ids"].AsArray().Select(i => i!.GetValue<Guid>()).ToList();
        var placed = (await Client.Get($"/api/institutions/{ids[0]}")).ShouldBe(HttpStatusCode.OK)["location"]!;
        Assert.Equal((29.7178, 106.6312, true), (placed["lat"]!.GetValue<double>(), placed["lon"]!.GetValue<double>(), placed["approximate"]!.GetValue<bool>()));
        var unplaced = await Client.Get($"/api/institutions/{ids[1]}");
        unplaced.ShouldBe(HttpStatusCode.OK);
        Assert.Null(unplaced.Body!["location"]);
    }

    [Fact]
    public async Task A_batch_outside_the_callers_jurisdiction_is_refused()
    {
        var district = Fixture.Tokens.For("district", Department.CivilAffairs, Role.Officer, "530112");
        (await Client.Post("/api/institutions/batch", new RegisterInstitutions([Station("甲社区养老服务站")]), bearer: district)).ShouldBe(HttpStatusCode.Forbidden);
    }
}
