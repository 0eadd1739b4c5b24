using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Institutions;
using CareRegistry.Tests.Infrastructure;
using Marten;

namespace CareRegistry.Tests.Institutions;

// An institution's optional place (WGS-84): recorded at registration and by a details change, shown in the view, the
// history, the search results and FHIR Location.position.
public class LocationTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static readonly LocationInput XishanSeat = new(25.0386, 102.6644, Approximate: true);

    private static void ShouldBeAt(JsonNode? location, double lat, double lon, bool approximate)
    {
        Assert.NotNull(location);
        Assert.Equal(lat, location!["lat"]!.GetValue<double>());
        Assert.Equal(lon, location["lon"]!.GetValue<double>());
        Assert.Equal(approximate, location["approximate"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_location_given_at_registration_reads_back_everywhere()
    {
        var id = await Client.Register(Scenario.CareHome(jurisdiction: "530112") with { Location = XishanSeat });

        var view = (await Client.Get($"/api/institutions/{id}")).ShouldBe(HttpStatusCode.OK);
        ShouldBeAt(view["location"], 25.0386, 102.6644, approximate: true);

        var history = (await Client.Get($"/api/institutions/{id}/history")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        ShouldBeAt(history[0]!["data"]!["location"], 25.0386, 102.6644, approximate: true);
        Assert.Contains("at 25.0386, 102.6644 (approximate)", history[0]!["summary"]!.GetValue<string>());

        var found = (await Client.Get("/api/institutions?jurisdiction=530112")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        ShouldBeAt(Assert.Single(found)!["location"], 25.0386, 102.6644, approximate: true);

        using var fhir = await Client.GetAsync($"/fhir/Location/{id}");
        var position = JsonNode.Parse(await fhir.Content.ReadAsStringAsync())!["position"]!;
        Assert.Equal(25.0386m, position["latitude"]!.GetValue<decimal>());
        Assert.Equal(102.6644m, position["longitude"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Without_a_location_none_is_shown()
    {
        var id = await Client.Register(Scenario.CareHome());
        var view = (await Client.Get($"/api/institutions/{id}")).ShouldBe(HttpStatusCode.OK);
        Assert.Null(view.Body!["location"]);
        using var fhir = await Client.GetAsync($"/fhir/Location/{id}");
        Assert.Null(JsonNode.Parse(await fhir.Content.ReadAsStringAsync())!["position"]);
    }

    [Theory]
    [InlineData("""{"lat": 91, "lon": 102.6}""", "location.lat", "must be a number from -90 to 90")]
    [InlineData("""{"lat": -90.5, "lon": 102.6}""", "location.lat", "must be a number from -90 to 90")]
    [InlineData("""{"lat": 25, "lon": 180.01}""", "location.lon", "must be a number from -180 to 180")]
    [InlineData("""{"lat": 25, "lon": -181}""", "location.lon", "must be a number from -180 to 180")]
    [InlineData("""{"lon": 102.6}""", "location.lat", "is required")]
    [InlineData("""{"lat": 25}""", "location.lon", "is required")]
    [InlineData("""{"lat": "25", "lon": 102.6}""", "location.lat", "must be a number")]
    // Read as infinity, which is not a place.
    [InlineData("""{"lat": 25, "lon": 1e400}""", "location.lon", "must be a number from -180 to 180")]
    public async Task A_bad_location_is_refused_naming_the_coordinate(string location, string field, string message)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToNode(Scenario.CareHome(), CareRegistry.Common.Json.Options)!.AsObject();
        body["location"] = JsonNode.Parse(location);
        var answer = (await Client.Post("/api/institutions", body.ToJsonString())).ShouldBeProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(message, answer["errors"][field]![0]!.GetValue<string>());
        await using var session = Fixture.Store.QuerySession();
        Assert.Equal(0, await session.Events.QueryAllRawEvents().CountAsync());
    }

    [Fact]
    public async Task Both_coordinates_are_named_when_both_are_wrong()
    {
        var answer = (await Client.Post("/api/institutions", Scenario.CareHome() with { Location = new LocationInput(-91, 200) }))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "location.lat");
        Assert.True(answer["errors"].AsObject().ContainsKey("location.lon"), answer.Text);
    }

    [Fact]
    public async Task A_details_change_moves_it_and_the_history_shows_both_places()
    {
        var id = await Client.Register(Scenario.CareHome(jurisdiction: "530112") with { Location = XishanSeat });
        (await Client.Post($"/api/institutions/{id}/details",
            new ChangeInstitutionDetails(null, null, "昆明市西山区前卫街道康乐路20号", null, new DateOnly(2024, 3, 1), "迁址",
                new LocationInput(25.0201, 102.6951)))).ShouldBe(HttpStatusCode.OK);

        var view = (await Client.Get($"/api/institutions/{id}")).ShouldBe(HttpStatusCode.OK);
        ShouldBeAt(view["location"], 25.0201, 102.6951, approximate: false);
        // On a date before the move, the district seat is where it stood.
        ShouldBeAt((await Client.Get($"/api/institutions/{id}?asOf=2024-02-29")).ShouldBe(HttpStatusCode.OK)["location"], 25.0386, 102.6644, approximate: true);

        var history = (await Client.Get($"/api/institutions/{id}/history")).ShouldBe(HttpStatusCode.OK)["items"].AsArray();
        Assert.Equal(["institution-registered", "institution-details-changed"], history.Select(i => i!["type"]!.GetValue<string>()));
        ShouldBeAt(history[1]!["data"]!["location"], 25.0201, 102.6951, approximate: false);
        Assert.Contains("location 25.0201, 102.6951", history[1]!["summary"]!.GetValue<string>());

        // A later change that leaves the location out keeps it.
        (await Client.Post($"/api/institutions/{id}/details",
            new ChangeInstitutionDetails("康乐颐养中心", null, null, null, new DateOnly(2024, 6, 1), "更名"))).ShouldBe(HttpStatusCode.OK);
        ShouldBeAt((await Client.Get($"/api/institutions/{id}")).ShouldBe(HttpStatusCode.OK)["location"], 25.0201, 102.6951, approximate: false);
    }

    [Fact]
    public async Task A_location_alone_is_a_details_change()
    {
        var id = await Client.Register(Scenario.CareHome());
        (await Client.Post($"/api/institutions/{id}/details",
            new ChangeInstitutionDetails(null, null, null, null, new DateOnly(2024, 3, 1), "测绘定位", new LocationInput(25.02, 102.74)))).ShouldBe(HttpStatusCode.OK);
        ShouldBeAt((await Client.Get($"/api/institutions/{id}")).ShouldBe(HttpStatusCode.OK)["location"], 25.02, 102.74, approximate: false);
    }

    [Fact]
    public void Events_recorded_before_locations_still_read()
    {
        // The events as Marten stores them, without the field that did not exist when they were recorded.
        var serializer = Fixture.Store.Options.Serializer();
        static Stream Without(string json, string field)
        {
            var node = JsonNode.Parse(json)!.AsObject();
            Assert.True(node.Remove(field) || !json.Contains($"\"{field}\""));
            return new MemoryStream(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString()));
        }
        var original = new InstitutionRegistered(Guid.NewGuid(), "柏寿老年公寓", null, "52530111DM00000011", CareRegistry.Common.InstitutionKind.ElderlyCare,
            null, null, CareRegistry.Common.Ownership.Private, "530111", "昆明市官渡区", new Beds(220, 0, 40, 0, 0), null, null, new DateOnly(2012, 5, 1),
            new Coordinates(25, 102.7, true));
        var registered = serializer.FromJson<InstitutionRegistered>(Without(serializer.ToJson(original), "location"));
        Assert.Null(registered.Location);
        Assert.Equal(original with { Location = null }, registered);
        var changed = serializer.FromJson<InstitutionDetailsChanged>(Without(serializer.ToJson(
            new InstitutionDetailsChanged(original.InstitutionId, "柏寿", null, "昆明市官渡区", CareRegistry.Common.Ownership.Private, new DateOnly(2020, 1, 1), null,
                new Coordinates(1, 2))), "location"));
        Assert.Null(changed.Location);
        var at = Institution.Begin(registered with { Location = new Coordinates(25, 102.7, true) }).With(changed);
        Assert.Equal(new Coordinates(25, 102.7, true), at.Location);
    }
}

public class DemoLocationTests
{
    [Fact]
    public void Named_demo_institutions_stand_at_their_district_seat_marked_approximate_and_placeholders_nowhere()
    {
        var demo = CareRegistry.Demo.DemoInstitutions.All;
        Assert.Contains(demo, e => e.IsPlaceholder);
        Assert.All(demo.Where(e => e.IsPlaceholder), e => Assert.Null(CareRegistry.Demo.DemoInstitutions.LocationOf(e)));
        var placed = demo.Where(e => !e.IsPlaceholder && CareRegistry.Demo.DemoInstitutions.DistrictSeats.ContainsKey(e.Jurisdiction)).ToList();
        Assert.True(placed.Count >= 30, $"only {placed.Count} named institutions have a seat");
        Assert.All(placed, e =>
        {
            var at = CareRegistry.Demo.DemoInstitutions.LocationOf(e)!;
            Assert.True(at.Approximate);
            var seat = CareRegistry.Demo.DemoInstitutions.DistrictSeats[e.Jurisdiction];
            Assert.Equal((seat.Lat, seat.Lon), (at.Lat!.Value, at.Lon!.Value));
            // Inside China's bounding box, so a swapped latitude and longitude cannot pass.
            Assert.InRange(at.Lat!.Value, 18, 54);
            Assert.InRange(at.Lon!.Value, 73, 135);
        });
    }
}
