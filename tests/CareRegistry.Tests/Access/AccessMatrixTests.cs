using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CareRegistry.Tests.Access;

// Every command route × every role × own/other department × inside/outside jurisdiction: only the officer of the
// deciding department inside the jurisdiction gets through; everyone else gets 403 and nothing is written.
public class AccessMatrixTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    // A command route: its policy route, the department that decides it (null: any department's officer), and how
    // to build a request against a fresh target institution in 530111.
    public sealed record Route(string Policy, Department? Decides, Func<Target, (string Url, object Body)> Request, bool AdminOnly = false, Role[]? Roles = null)
    {
        public Role[] Allowed => Roles ?? [Role.Officer];

        public override string ToString() => Policy;
    }

    public sealed record Target(Guid Institution, Guid HealthPermit, Guid CareFiling, Guid Inspection, Guid Finding, Guid Hospital, Guid Partnership, Guid Webhook);

    private static readonly Role[] Inspector = [Role.Inspector];
    private static readonly Role[] FieldStaff = [Role.Officer, Role.Inspector];
    private static string Finding(Target t) => $"/api/inspections/{t.Inspection}/findings/{t.Finding}";

    private static object Lifecycle(string step) => step switch
    {
        "decision" => new DecideApplication(Decision.Granted, D(2016, 3, 1), null, null, null),
        "renewal" => new RenewPermit(D(2016, 6, 1), D(2030, 1, 1), null),
        "suspension" => new SuspendPermit(D(2016, 6, 1), "x"),
        "reinstatement" => new ReinstatePermit(D(2016, 6, 1), null),
        "revocation" => new RevokePermit(D(2016, 6, 1), "x"),
        _ => throw new ArgumentException(step),
    };

    public static readonly Route[] Routes =
    [
        new("/api/institutions", null, _ => ("/api/institutions", Scenario.CareHome("矩阵养老院", "530111"))),
        new("/api/institutions/batch", null, _ => ("/api/institutions/batch", new CareRegistry.Institutions.RegisterInstitutions([Scenario.CareHome("矩阵批量养老院", "530111")]))),
        new("/api/institutions/{id}/details", null, t => ($"/api/institutions/{t.Institution}/details", new CareRegistry.Institutions.ChangeInstitutionDetails("新名", null, null, null, D(2020, 1, 1), null))),
        new("/api/institutions/{id}/beds", null, t => ($"/api/institutions/{t.Institution}/beds", new CareRegistry.Institutions.ChangeBeds(D(2020, 1, 1), new CareRegistry.Institutions.BedsInput(ElderlyCare: 5), null))),
        new("/api/institutions/{id}/ratings", Department.CivilAffairs, t => ($"/api/institutions/{t.Institution}/ratings",
            new CareRegistry.Institutions.RecordRating(CareRegistry.Institutions.RatingScheme.CareHomeGrade, 3, null, D(2020, 1, 1), null, "等级评定"))),
        new("/api/institutions/{id}/occupancy", Department.CivilAffairs, t => ($"/api/institutions/{t.Institution}/occupancy", new CareRegistry.Institutions.ReportOccupancy(50, D(2020, 1, 1), "报表"))),
        new("/api/institutions/{id}/services", Department.Health, t => ($"/api/institutions/{t.Institution}/services", new CareRegistry.Institutions.RecordService(CareRegistry.Institutions.CareService.HomeSickbeds, true, D(2020, 1, 1), "备案"))),
        new("/api/institutions/{id}/staff", Department.Health, t => ($"/api/institutions/{t.Institution}/staff", new CareRegistry.Institutions.ReportStaff(2, 2, 10, 5, D(2020, 1, 1), "报表"))),
        new("/api/institutions/{id}/designations", Department.Health, t => ($"/api/institutions/{t.Institution}/designations",
            new CareRegistry.Designations.RecordDesignation(CareRegistry.Designations.Programme.IntegratedCareDemonstration, CareRegistry.Designations.DesignationLevel.Provincial, "省卫生健康委", D(2020, 1, 1), null, "示范单位"))),
        new("/api/jurisdictions/{code}/designations", Department.Health, _ => ("/api/jurisdictions/530111/designations",
            new CareRegistry.Designations.RecordDesignation(CareRegistry.Designations.Programme.IntegratedCarePilot, CareRegistry.Designations.DesignationLevel.Provincial, "云南省卫生健康委", D(2016, 1, 1), null, "省级医养结合试点"))),
        new("/api/institutions/{id}/closure", null, t => ($"/api/institutions/{t.Institution}/closure", new CareRegistry.Institutions.CloseInstitution(D(2024, 1, 1), "x"))),
        new("/api/institutions/{id}/operator", null, t => ($"/api/institutions/{t.Institution}/operator", new CareRegistry.Institutions.ChangeOperator("某运营公司", D(2020, 1, 1), "招标"))),
        new("/api/institutions/{id}/enforcement", Department.Health, t => ($"/api/institutions/{t.Institution}/enforcement",
            new RecordEnforcement(EnforcementAction.PermitSuspension, t.HealthPermit, null, "执法", D(2016, 6, 1), null))),
        new("/api/institutions/{id}/permits", Department.Health, t => ($"/api/institutions/{t.Institution}/permits", new SubmitPermit(PermitType.IntegratedCarePilot, null, D(2020, 1, 1), null, null))),
        .. new[] { "decision", "renewal", "suspension", "reinstatement", "revocation" }.Select(step =>
            new Route("/api/institutions/{id}/permits/{permitId}/" + step, Department.Health, t => ($"/api/institutions/{t.Institution}/permits/{t.HealthPermit}/{step}", Lifecycle(step)))),
        new("/api/institutions/{id}/permits/{permitId}/correction-request", Department.CivilAffairs, t =>
            ($"/api/institutions/{t.Institution}/permits/{t.CareFiling}/correction-request", new RequestFilingCorrection(D(2020, 1, 1), D(2020, 2, 1), "x"))),
        new("/api/institutions/{id}/permits/{permitId}/correction", Department.CivilAffairs, t =>
            ($"/api/institutions/{t.Institution}/permits/{t.CareFiling}/correction", new CorrectFiling(D(2020, 1, 15), null))),
        new("/api/institutions/{id}/permits/{permitId}/cancellation", Department.CivilAffairs, t =>
            ($"/api/institutions/{t.Institution}/permits/{t.CareFiling}/cancellation", new CancelFiling(D(2020, 3, 1), "x"))),
        new("/api/jurisdictions/{code}/regimes", Department.Health, _ => ("/api/jurisdictions/530111/regimes",
            new CareRegistry.Jurisdictions.RecordRegime(PermitType.MedicalPractice, Regime.Filing, D(2025, 1, 1), "doc", null))),
        new("/api/inspections", Department.Health, t => ("/api/inspections", new CareRegistry.Inspections.OpenInspection(
            CareRegistry.Inspections.InspectionKind.Routine, [t.Institution], [Department.Health], ["王检查"], D(2021, 1, 1))), Roles: Inspector),
        new("/api/inspections/{id}/findings", Department.Health, t => ($"/api/inspections/{t.Inspection}/findings", new CareRegistry.Inspections.RecordFinding(
            t.Institution, CareRegistry.Inspections.FindingCategory.Hygiene, CareRegistry.Inspections.Severity.Minor, 1, "x", null, D(2021, 1, 2))), Roles: Inspector),
        new("/api/inspections/{id}/close", Department.Health, t => ($"/api/inspections/{t.Inspection}/close", new CareRegistry.Inspections.CloseInspection(D(2021, 2, 1), "done")), Roles: Inspector),
        new("/api/inspections/{id}/findings/{findingId}/rectification", Department.Health, t => ($"{Finding(t)}/rectification",
            new CareRegistry.Inspections.ReportRectification(D(2021, 1, 10), "fixed")), Roles: FieldStaff),
        new("/api/inspections/{id}/findings/{findingId}/verification", Department.Health, t => ($"{Finding(t)}/verification",
            new CareRegistry.Inspections.VerifyRectification(D(2021, 1, 20), CareRegistry.Inspections.VerificationOutcome.Accepted, null)), Roles: Inspector),
        new("/api/inspections/{id}/findings/{findingId}/dispute", Department.Health, t => ($"{Finding(t)}/dispute",
            new CareRegistry.Inspections.DisputeFinding(D(2021, 1, 10), "grounds")), Roles: FieldStaff),
        new("/api/inspections/{id}/findings/{findingId}/dispute/decision", Department.Health, t => ($"{Finding(t)}/dispute/decision",
            new CareRegistry.Inspections.DecideDispute(CareRegistry.Inspections.DisputeOutcome.Upheld, null, "basis", D(2021, 1, 20)))),
        new("/api/partnerships", null, t => ("/api/partnerships", new CareRegistry.Partnerships.SignPartnership(CareRegistry.Partnerships.PartnershipKind.CareMedical,
            [t.Institution, t.Hospital], [CareRegistry.Partnerships.PartnershipService.EmergencyCare], D(2022, 1, 1), D(2024, 12, 31)))),
        new("/api/partnerships/{id}/renewal", null, t => ($"/api/partnerships/{t.Partnership}/renewal", new CareRegistry.Partnerships.RenewPartnership(D(2023, 12, 1), D(2026, 12, 31)))),
        new("/api/partnerships/{id}/termination", null, t => ($"/api/partnerships/{t.Partnership}/termination", new CareRegistry.Partnerships.TerminatePartnership(D(2023, 6, 1), "x"))),
        new("/api/jurisdictions/{code}/demerit-threshold", null, _ => ("/api/jurisdictions/530111/demerit-threshold",
            new CareRegistry.Jurisdictions.SetDemeritThreshold(10, D(2024, 1, 1), "区卫健委通知")), Roles: [Role.Admin]),
        new("/api/jurisdictions/{code}/population", null, _ => ("/api/jurisdictions/530111/population",
            new CareRegistry.Jurisdictions.RecordPopulation(100_000, null, null, D(2024, 1, 1), "区统计局"))),
        // The finding was recorded by a health inspector: health's officers and inspectors may retract it.
        new("/api/corrections", Department.Health, t => ("/api/corrections", new CareRegistry.Audit.RetractEntry(t.Inspection, 2, "记错")), Roles: FieldStaff),
        new("/api/admin/projections/rebuild", null, _ => ("/api/admin/projections/rebuild", new { }), AdminOnly: true),
        // Webhook subscriptions: a national one, so only a national admin covers it.
        new("/api/admin/webhooks", null, _ => ("/api/admin/webhooks", new CareRegistry.Webhooks.SubscribeWebhook("https://example.org/hook", ["permit-refused"], "00", null)), AdminOnly: true),
        .. new[] { "pause", "resume", "deletion" }.Select(step =>
            new Route("/api/admin/webhooks/{id}/" + step, null, t => ($"/api/admin/webhooks/{t.Webhook}/{step}", new CareRegistry.Webhooks.ChangeWebhook("x")), AdminOnly: true)),
        new("/api/admin/webhooks/{id}/replay", null, t => ($"/api/admin/webhooks/{t.Webhook}/replay", new CareRegistry.Webhooks.ReplayDelivery(1)), AdminOnly: true),
    ];

    public static TheoryData<Route> CommandRoutes => new(Routes);

    private async Task<Target> Arrange()
    {
        await Fixture.ResetAsync();
        // Elderly-care by filing from 2019 in this district, so the target holds a filing to review.
        await Client.Regime("530111", PermitType.ElderlyCare, Regime.Filing, D(2019, 1, 1));
        var institution = await Client.Register(Scenario.CareHome("矩阵目标", "530111"));
        var health = (await Client.Submit(institution, PermitType.MedicalPractice, D(2016, 1, 1))).Id;
        var filing = (await Client.Submit(institution, PermitType.ElderlyCare, D(2019, 6, 1))).Id;
        var inspection = (await Client.Post("/api/inspections", new CareRegistry.Inspections.OpenInspection(
            CareRegistry.Inspections.InspectionKind.Routine, [institution], [Department.Health], ["王检查"], D(2021, 1, 1)))).ShouldBe(HttpStatusCode.Created).Id;
        var finding = (await Client.Post($"/api/inspections/{inspection}/findings", new CareRegistry.Inspections.RecordFinding(institution,
            CareRegistry.Inspections.FindingCategory.FireSafety, CareRegistry.Inspections.Severity.Major, 3, "灭火器过期", D(2021, 2, 1), D(2021, 1, 5))))
            .ShouldBe(HttpStatusCode.Created)["findingId"].GetValue<Guid>();
        var hospital = await Client.Register(Scenario.Hospital("矩阵医院", "530111"));
        var partnership = (await Client.Post("/api/partnerships", new CareRegistry.Partnerships.SignPartnership(CareRegistry.Partnerships.PartnershipKind.CareMedical,
            [institution, hospital], [CareRegistry.Partnerships.PartnershipService.ScheduledVisits], D(2021, 1, 1), D(2023, 12, 31)))).ShouldBe(HttpStatusCode.Created).Id;
        // Subscribed to a type nothing here records, so no delivery is attempted.
        var webhook = (await Client.Post("/api/admin/webhooks", new CareRegistry.Webhooks.SubscribeWebhook("https://example.org/hook", ["permit-refused"], "00", null)))
            .ShouldBe(HttpStatusCode.Created).Id;
        return new Target(institution, health, filing, inspection, finding, hospital, partnership, webhook);
    }

    private async Task<long> Events()
    {
        await using var session = Fixture.Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }

    [Theory]
    [MemberData(nameof(CommandRoutes))]
    public async Task Only_the_deciding_officer_inside_the_jurisdiction_gets_through(Route route)
    {
        var own = route.Decides ?? Department.CivilAffairs;
        var other = own == Department.Health ? Department.MedicalInsurance : Department.Health;
        var cases = 0;
        Target? target = null;
        foreach (var role in Enum.GetValues<Role>())
        foreach (var department in new[] { own, other })
        foreach (var inside in new[] { true, false })
        {
            // A refused request writes nothing, so the target is arranged again only after one that got through.
            target ??= await Arrange();
            var (url, body) = route.Request(target);
            var jurisdiction = route.AdminOnly ? (inside ? "00" : "5301") : inside ? "5301" : "5001";
            var token = Fixture.Tokens.For($"matrix-{Json.Wire(role)}", department, role, jurisdiction);
            var allowed = route.AdminOnly
                ? role == Role.Admin && inside
                : route.Allowed.Contains(role) && inside && (route.Decides is null || department == route.Decides);

            var before = await Events();
            var answer = await Send(url, body, token);
            var label = $"{route.Policy} as {Json.Wire(role)} of {Json.Wire(department)} in {jurisdiction}";
            if (allowed)
            {
                Assert.True(answer.Status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized), $"{label} should pass: {answer.Text}");
                target = null;
            }
            else
            {
                Assert.True(answer.Status == HttpStatusCode.Forbidden, $"{label} should be 403, got {(int)answer.Status}: {answer.Text}");
                Assert.Equal("application/problem+json", answer.ContentType);
                Assert.Equal(before, await Events());
            }
            cases++;
        }
        Assert.Equal(16, cases);
    }

    // Every field of every command, its JSON type swapped (number, string, array, object, null), sent by every role of
    // the deciding department inside the jurisdiction, of another department, and from outside: whatever the body
    // says, nothing is written unless the caller is entitled, and nothing answers 5xx.
    [Theory]
    [MemberData(nameof(CommandRoutes))]
    public async Task A_body_with_any_field_of_another_json_type_writes_nothing_for_a_caller_not_entitled(Route route)
    {
        var own = route.Decides ?? Department.CivilAffairs;
        var other = own == Department.Health ? Department.MedicalInsurance : Department.Health;
        Target? target = null;
        var sent = 0;
        foreach (var field in JsonNode.Parse(JsonSerializer.Serialize(route.Request(EmptyTarget).Body, Json.Options))!.AsObject().Select(f => f.Key).ToList())
        foreach (var kind in new[] { "number", "string", "array", "object", "null" })
        foreach (var role in Enum.GetValues<Role>())
        foreach (var (department, inside) in new[] { (own, true), (other, true), (own, false) })
        {
            target ??= await Arrange();
            var (url, body) = route.Request(target);
            var json = JsonNode.Parse(JsonSerializer.Serialize(body, Json.Options))!.AsObject();
            if (Swap(json[field], kind) is not { } swapped) continue;
            json[field] = swapped.Value;
            var jurisdiction = route.AdminOnly ? (inside ? "00" : "5301") : inside ? "5301" : "5001";
            var allowed = route.AdminOnly
                ? role == Role.Admin && inside
                : route.Allowed.Contains(role) && inside && (route.Decides is null || department == route.Decides);

            var before = await Events();
            var answer = await SendRaw(url, json.ToJsonString(), Fixture.Tokens.For($"swap-{Json.Wire(role)}", department, role, jurisdiction));
            var label = $"{route.Policy} {field}→{kind} as {Json.Wire(role)} of {Json.Wire(department)} in {jurisdiction}";
            Assert.True((int)answer.Status < 500, $"{label}: {(int)answer.Status} {answer.Text}");
            if (!allowed)
            {
                Assert.False(answer.Status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Accepted, $"{label} wrote: {answer.Text}");
                Assert.Equal(before, await Events());
            }
            else if (await Events() != before) target = null;
            sent++;
        }
        Assert.True(route.AdminOnly || sent > 0);
    }

    private static readonly Target EmptyTarget = new(Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty);

    // The field's value as another JSON type, or null when it already is one of that type.
    private static JsonValueHolder? Swap(JsonNode? original, string kind)
    {
        var current = original switch
        {
            null => "null",
            JsonArray => "array",
            JsonObject => "object",
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => "number",
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "string",
        };
        if (current == kind) return null;
        return new JsonValueHolder(kind switch
        {
            "number" => JsonValue.Create(1),
            "string" => JsonValue.Create(original?.ToJsonString().Trim('"') ?? "1"),
            "array" => new JsonArray(original?.DeepClone()),
            "object" => new JsonObject { ["value"] = original?.DeepClone() },
            _ => null,
        });
    }

    private sealed record JsonValueHolder(JsonNode? Value);

    private async Task<Answer> SendRaw(string url, string json, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Answer.From(await Fixture.Anonymous.SendAsync(request));
    }

    private async Task<Answer> Send(string url, object body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(JsonSerializer.Serialize(body, Json.Options), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Answer.From(await Fixture.Anonymous.SendAsync(request));
    }

    [Fact]
    public void Every_route_has_a_policy_row_and_every_command_route_is_in_the_matrix()
    {
        var endpoints = Fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/") == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Route: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .ToList();

        Assert.NotEmpty(endpoints);
        foreach (var (method, route) in endpoints)
            Assert.True(AccessPolicy.For(method, route) is not null, $"{method} {route} has no row in AccessPolicy");
        foreach (var (_, route) in endpoints.Where(e => e.Method == "POST"))
            Assert.True(Routes.Any(r => r.Policy == route), $"POST {route} is missing from the access matrix");
    }
}
