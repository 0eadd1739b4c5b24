using System.Net;
using System.Text.Json.Nodes;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace CareRegistry.Tests.Institutions;

// Given events, when a command, then events or a problem: no host, no database.
public class RatingDecisionTests
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static Institution Hospital() => Institution.Begin(new InstitutionRegistered(Guid.CreateVersion7(), "官渡区人民医院", null, "12530111DM00000009",
        InstitutionKind.Medical, MedicalSubtype.GeneralHospital, 2, Ownership.Public, "530111", "官渡区", new Beds(0, 500, 0, 40, 0), null, null, D(1952, 1, 1)));

    private static Institution Home() => Institution.Begin(new InstitutionRegistered(Guid.CreateVersion7(), "柏寿老年公寓", null, "52530111DM00000001",
        InstitutionKind.ElderlyCare, null, null, Ownership.Private, "530111", "官渡区", new Beds(220, 0, 40, 0, 0), null, null, D(2012, 5, 1)));

    [Fact]
    public void A_hospital_rating_in_force_replaces_the_registration_grade_until_it_lapses()
    {
        var rated = Assert.IsType<InstitutionRated>(Assert.Single(new RecordRating(RatingScheme.HospitalGrade, 3, HospitalClass.B, D(2020, 1, 1), D(2023, 12, 31), "评审").Decide(Hospital())));
        var hospital = Institution.Next(Hospital(), rated)!;
        Assert.Equal(2, hospital.GradeOn(D(2019, 12, 31)));
        Assert.Equal(3, hospital.GradeOn(D(2022, 1, 1)));
        Assert.Equal(HospitalClass.B, hospital.RatingOn(RatingScheme.HospitalGrade, D(2022, 1, 1))!.Class);
        Assert.Equal(2, hospital.GradeOn(D(2024, 1, 1)));
    }

    [Fact]
    public void A_rating_must_fit_its_scheme_and_the_institution()
    {
        Assert.Contains("level", ((HttpValidationProblemDetails)new RecordRating(RatingScheme.CareHomeGrade, 6, null, D(2020, 1, 1), null, "x").Validate()).Errors.Keys);
        Assert.Contains("class", ((HttpValidationProblemDetails)new RecordRating(RatingScheme.CareHomeGrade, 3, HospitalClass.A, D(2020, 1, 1), null, "x").Validate()).Errors.Keys);
        Assert.Contains("level", ((HttpValidationProblemDetails)new RecordRating(RatingScheme.HospitalGrade, 4, HospitalClass.A, D(2020, 1, 1), null, "x").Validate()).Errors.Keys);
        Assert.Equal(StatusCodes.Status409Conflict, new RecordRating(RatingScheme.CareHomeGrade, 3, null, D(2020, 1, 1), null, "x").Check(Hospital()).Status);
        Assert.Equal(StatusCodes.Status409Conflict, new RecordRating(RatingScheme.HospitalGrade, 3, HospitalClass.A, D(2020, 1, 1), null, "x").Check(Home()).Status);
        Assert.Same(WolverineContinue.NoProblems, new RecordRating(RatingScheme.CareHomeGrade, 3, null, D(2020, 1, 1), null, "x").Check(Home()));
        Assert.Equal(Department.CivilAffairs, Rating.OwnerOf(RatingScheme.CareHomeGrade));
        Assert.Equal(Department.Health, Rating.OwnerOf(RatingScheme.HospitalGrade));
    }

    [Fact]
    public void Occupancy_stands_until_the_next_report()
    {
        var home = Institution.Next(Home(), Assert.Single(new ReportOccupancy(150, D(2024, 3, 31), "一季度").Decide(Home())))!;
        home = Institution.Next(home, new InstitutionOccupancyReported(home.Id, 170, D(2024, 6, 30), "二季度"))!;
        Assert.Null(home.OccupancyOn(D(2024, 3, 30)));
        Assert.Equal(150, home.OccupancyOn(D(2024, 5, 17))!.Residents);
        Assert.Equal(170, home.OccupancyOn(D(2024, 7, 1))!.Residents);
        Assert.Contains("residents", ((HttpValidationProblemDetails)new ReportOccupancy(-1, D(2024, 1, 1), "x").Validate()).Errors.Keys);
    }
}

public class RatingAndOccupancyHttpTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private async Task<Dictionary<string, JsonNode>> Table(string query)
    {
        await Fixture.Projected();
        return (await Client.Get($"/api/statistics/integrated-care?{query}")).ShouldBe(HttpStatusCode.OK)["figures"].AsArray()
            .ToDictionary(f => f!["key"]!.GetValue<string>(), f => f!);
    }

    private static decimal? Value(Dictionary<string, JsonNode> t, string key) => t[key]["value"]?.GetValue<decimal>();

    [Fact]
    public async Task Ratings_and_occupancy_show_in_the_view_history_and_table_and_belong_to_their_departments()
    {
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        var home = await Client.Register(Scenario.CareHome("柏寿老年公寓", "530111"));
        (await Client.Submit(home, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        var hospital = await Client.Register(Scenario.Hospital("官渡区人民医院", "530111"));
        (await Client.Post($"/api/institutions/{home}/ratings", new RecordRating(RatingScheme.CareHomeGrade, 3, null, D(2021, 1, 1), D(2025, 12, 31), "等级评定"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{hospital}/ratings", new RecordRating(RatingScheme.HospitalGrade, 3, HospitalClass.A, D(2022, 1, 1), null, "三甲评审"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{home}/occupancy", new ReportOccupancy(60, D(2024, 3, 31), "一季度报表"))).ShouldBe(HttpStatusCode.OK);

        var view = (await Client.Get($"/api/institutions/{hospital}?asOf=2024-05-17")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(3, view["grade"].GetValue<int>());
        Assert.Equal("a", view["ratings"].AsArray().Single()!["class"]!.GetValue<string>());
        Assert.Equal(60, (await Client.Get($"/api/institutions/{home}?asOf=2024-05-17"))["occupancy"]["residents"]!.GetValue<int>());
        Assert.Contains((await Client.Get($"/api/institutions/{home}/history"))["items"].AsArray(), h => h!["type"]!.GetValue<string>() == "institution-rated");

        var t = await Table("jurisdiction=530111&asOf=2024-05-17");
        Assert.Equal(1, Value(t, "care-homes-rated"));
        Assert.Equal(1, Value(t, "care-homes-grade-3"));
        Assert.Equal(1, Value(t, "medical-institutions-grade-3"));
        Assert.Equal(1, Value(t, "medical-institutions-grade-3-class-a"));
        Assert.Equal(60, Value(t, "residents"));
        Assert.Equal(50.0m, Value(t, "occupancy-percent"));   // 60 of 120 beds
        var before = await Table("jurisdiction=530111&asOf=2021-06-01");
        Assert.Equal(0, Value(before, "medical-institutions-grade-3"));
        Assert.Equal(0, Value(await Table("jurisdiction=530111&asOf=2026-01-01"), "care-homes-grade-3"));   // lapsed after 2025-12-31

        var health = Fixture.Tokens.For("health", Department.Health, Role.Officer);
        (await Client.Post($"/api/institutions/{home}/ratings", new RecordRating(RatingScheme.CareHomeGrade, 4, null, D(2024, 1, 1), null, "x"), bearer: health)).ShouldBe(HttpStatusCode.Forbidden);
        (await Client.Post($"/api/institutions/{home}/occupancy", new ReportOccupancy(61, D(2024, 6, 30), "x"), bearer: health)).ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_search_finds_institutions_by_rating_occupancy_and_staff_on_the_day()
    {
        var home = await Client.Register(Scenario.CareHome("评定检索养老院", "530112"));
        var hospital = await Client.Register(Scenario.Hospital("评定检索医院", "530112"));
        (await Client.Post($"/api/institutions/{home}/ratings", new RecordRating(RatingScheme.CareHomeGrade, 4, null, D(2021, 1, 1), D(2025, 12, 31), "等级评定"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{hospital}/ratings", new RecordRating(RatingScheme.HospitalGrade, 2, HospitalClass.B, D(2022, 1, 1), null, "评审"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{home}/occupancy", new ReportOccupancy(80, D(2024, 3, 31), "一季度报表"))).ShouldBe(HttpStatusCode.OK);
        (await Client.Post($"/api/institutions/{hospital}/staff", new ReportStaff(12, 30, 0, 0, D(2023, 1, 1), "人员报表"))).ShouldBe(HttpStatusCode.OK);
        await Fixture.Projected();

        async Task<List<Guid>> Found(string query) =>
            (await Client.Get($"/api/institutions?jurisdiction=530112&{query}")).ShouldBe(HttpStatusCode.OK)["items"].AsArray()
            .Select(i => i!["id"]!.GetValue<Guid>()).ToList();

        Assert.Equal([home], await Found("careHomeGradeAtLeast=4&asOf=2024-05-17"));
        Assert.Empty(await Found("careHomeGradeAtLeast=5&asOf=2024-05-17"));
        Assert.Empty(await Found("careHomeGradeAtLeast=4&asOf=2026-01-01"));   // lapsed after 2025-12-31
        Assert.Equal([hospital], await Found("hospitalGrade=2b&asOf=2024-05-17"));
        Assert.Equal([hospital], await Found("hospitalGrade=2&asOf=2024-05-17"));
        Assert.Empty(await Found("hospitalGrade=2a&asOf=2024-05-17"));
        Assert.Equal([home], await Found("residentsAtLeast=80&asOf=2024-05-17"));
        Assert.Empty(await Found("residentsAtLeast=80&asOf=2024-01-01"));       // not yet reported
        Assert.Equal([hospital], await Found("doctorsAtLeast=2&nursesAtLeast=2&asOf=2024-05-17"));
        Assert.Empty(await Found("nursesAtLeast=31&asOf=2024-05-17"));

        var bad = (await Client.Get("/api/institutions?hospitalGrade=3d&careHomeGradeAtLeast=6")).ShouldBe(HttpStatusCode.BadRequest);
        Assert.Contains("hospitalGrade", bad["errors"].AsObject().Select(e => e.Key));
        Assert.Contains("careHomeGradeAtLeast", bad["errors"].AsObject().Select(e => e.Key));
    }
}
