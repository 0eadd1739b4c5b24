using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CareRegistry.Common;
using CareRegistry.Fhir;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Tests.Infrastructure;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace CareRegistry.Tests.Fhir;

// Every resource the registry emits parses strictly with Firely's SDK and passes Firely's validator against the R4
// specification (the package's specification.zip, offline) with no error. The registry's own extensions have no
// published StructureDefinition yet: the validator reports them as unresolved (a warning) and checks their shape only.
public class FhirTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static readonly Lazy<Validator> R4 = new(() =>
    {
        var resolver = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(resolver, new LocalTerminologyService(resolver));
    });

    private sealed record World(Guid Home, Guid Hospital, Guid Partnership, string HomeUscc);

    private async Task<World> BuildWorld()
    {
        await Client.Regime("00", PermitType.ElderlyCare, Regime.Filing, D(2018, 12, 29));
        var uscc = Scenario.NewUscc("530111");
        var home = await Client.Register(new RegisterInstitution("福寿老年公寓", "Fushou Senior Apartments", uscc, InstitutionKind.ElderlyCare, null, null,
            Ownership.PublicBuiltPrivateOperated, "530111", "昆明市官渡区关上街道1号", new BedsInput(ElderlyCare: 200, Nursing: 40), "某养老服务有限公司", null, D(2016, 1, 1)));
        var hospital = await Client.Register(Scenario.Hospital("官渡区人民医院", "530111"));
        var licence = (await Client.Submit(hospital, PermitType.MedicalPractice, D(2010, 1, 1))).ShouldBe(HttpStatusCode.Accepted).Id;
        (await Client.Grant(hospital, licence, D(2010, 2, 1), D(2035, 12, 31))).ShouldBe(HttpStatusCode.OK);
        (await Client.Submit(home, PermitType.ElderlyCare, D(2019, 1, 1))).ShouldBe(HttpStatusCode.Created);
        var partnership = (await Client.Post("/api/partnerships", new SignPartnership(PartnershipKind.CareMedical, [home, hospital],
            [PartnershipService.EmergencyCare, PartnershipService.ScheduledVisits], D(2019, 1, 1), D(2030, 12, 31)))).ShouldBe(HttpStatusCode.Created).Id;
        await Client.Register(Scenario.CareHome("西山外地养老院", "530112"));
        return new World(home, hospital, partnership, uscc);
    }

    private async Task<(HttpStatusCode Status, string Text, string? Type)> Fhir(string url, HttpClient? client = null)
    {
        using var response = await (client ?? Client).GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    // Parse strictly (an unknown element or a malformed value throws) and validate against the R4 core definitions.
    private static T ParseAndValidate<T>(string json) where T : Resource
    {
        var resource = JsonSerializer.Deserialize<Resource>(json, FhirResponse.Options)!;
        var typed = Assert.IsType<T>(resource);
        var outcome = R4.Value.Validate(typed);
        var errors = outcome.Issue.Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Severity} {e.Expression.FirstOrDefault()}: {e.Details?.Text ?? e.Diagnostics}")) + "\n" + json);
        return typed;
    }

    [Fact]
    public async System.Threading.Tasks.Task An_institution_reads_as_a_valid_Organization_with_its_USCC_types_and_permits()
    {
        var w = await BuildWorld();
        var (status, text, type) = await Fhir($"/fhir/Organization/{w.Home}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/fhir+json", type);
        var org = ParseAndValidate<Organization>(text);
        Assert.Equal(w.Home.ToString(), org.Id);
        Assert.Equal("福寿老年公寓", org.Name);
        var identifier = Assert.Single(org.Identifier);
        Assert.Equal((FhirUris.Uscc, w.HomeUscc), (identifier.System, identifier.Value));
        Assert.Contains(org.Type, t => t.Coding[0].System == FhirUris.InstitutionKind && t.Coding[0].Code == "elderly-care");
        Assert.Equal("530111", ((Code)org.Address[0].GetExtension(FhirUris.DivisionCode)!.Value!).Value);
        Assert.Equal("官渡区", org.Address[0].District);
        Assert.Equal("某养老服务有限公司", ((FhirString)org.GetExtension(FhirUris.Operator)!.Value!).Value);
        var qualification = Assert.Single(org.Extension, e => e.Url == FhirUris.Qualification);
        Assert.Equal("elderly-care", ((CodeableConcept)qualification.GetExtension("code")!.Value!).Coding[0].Code);
        Assert.Equal("active", ((Code)qualification.GetExtension("status")!.Value!).Value);
        Assert.NotNull(org.Meta?.LastUpdated);

        var hospital = ParseAndValidate<Organization>((await Fhir($"/fhir/Organization/{w.Hospital}")).Text);
        Assert.Contains(hospital.Type, t => t.Coding[0].System == FhirUris.Grade && t.Coding[0].Code == "2");

        var (missing, outcome, _) = await Fhir($"/fhir/Organization/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        ParseAndValidate<OperationOutcome>(outcome);
    }

    [Fact]
    public async System.Threading.Tasks.Task Organizations_are_searched_by_name_identifier_jurisdiction_and_last_update()
    {
        var w = await BuildWorld();
        async Task<List<string>> Ids(string query)
        {
            var (status, text, _) = await Fhir($"/fhir/Organization?{query}");
            Assert.True(status == HttpStatusCode.OK, text);
            var bundle = ParseAndValidate<Bundle>(text);
            Assert.Equal(Bundle.BundleType.Searchset, bundle.Type);
            return bundle.Entry.Select(e => e.Resource!.Id!).ToList();
        }
        Assert.Equal([w.Home.ToString()], await Ids($"name={Uri.EscapeDataString("老年公寓")}"));
        Assert.Equal([w.Home.ToString()], await Ids("name=fushou"));
        Assert.Equal([w.Home.ToString()], await Ids($"identifier={Uri.EscapeDataString(FhirUris.Uscc + "|" + w.HomeUscc)}"));
        Assert.Equal([w.Home.ToString()], await Ids($"identifier={w.HomeUscc}"));
        Assert.Empty(await Ids($"identifier={Uri.EscapeDataString("urn:other|" + w.HomeUscc)}"));
        Assert.Equal(2, (await Ids("jurisdiction=530111")).Count);
        Assert.Equal(3, (await Ids("jurisdiction=5301")).Count);
        Assert.Equal(3, (await Ids("_lastUpdated=ge2020-01-01")).Count);
        Assert.Empty(await Ids("_lastUpdated=lt2020-01-01"));
        Assert.Empty(await Ids($"_lastUpdated=gt{DateTimeOffset.UtcNow.AddMinutes(5):yyyy-MM-ddTHH:mm:ssZ}"));

        var (_, first, _) = await Fhir("/fhir/Organization?_count=2");
        var page = ParseAndValidate<Bundle>(first);
        Assert.Equal(2, page.Entry.Count);
        var next = new Uri(page.Link.Single(l => l.Relation == "next").Url!);
        var rest = ParseAndValidate<Bundle>((await Fhir(next.PathAndQuery)).Text);
        Assert.Single(rest.Entry);

        var (bad, problem, _) = await Fhir("/fhir/Organization?_lastUpdated=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        ParseAndValidate<OperationOutcome>(problem);
    }

    [Fact]
    public async System.Threading.Tasks.Task Export_streams_every_resource_type_as_NDJSON_and_each_line_validates()
    {
        var w = await BuildWorld();
        var counts = new Dictionary<string, int>();
        foreach (var type in new[] { "Organization", "Location", "OrganizationAffiliation" })
        {
            var (status, text, contentType) = await Fhir($"/fhir/$export?_type={type}");
            Assert.True(status == HttpStatusCode.OK, text);
            Assert.Equal("application/fhir+ndjson", contentType);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var line in lines)
            {
                Resource resource = type switch
                {
                    "Organization" => ParseAndValidate<Organization>(line),
                    "Location" => ParseAndValidate<Location>(line),
                    _ => ParseAndValidate<OrganizationAffiliation>(line),
                };
                Assert.Equal(type, resource.TypeName);
            }
            counts[type] = lines.Length;
        }
        Assert.Equal(3, counts["Organization"]);
        Assert.Equal(3, counts["Location"]);
        Assert.Equal(1, counts["OrganizationAffiliation"]);

        var affiliation = ParseAndValidate<OrganizationAffiliation>((await Fhir("/fhir/$export?_type=OrganizationAffiliation&jurisdiction=530111")).Text.Trim());
        Assert.Equal(w.Partnership.ToString(), affiliation.Id);
        Assert.Equal($"Organization/{w.Home}", affiliation.Organization!.Reference);
        Assert.Equal($"Organization/{w.Hospital}", affiliation.ParticipatingOrganization!.Reference);
        Assert.Equal(("2019-01-01", "2030-12-31"), (affiliation.Period!.Start, affiliation.Period.End));
        Assert.Equal(["emergency-care", "scheduled-visits"], affiliation.Specialty.Select(s => s.Coding[0].Code));
        Assert.True(affiliation.Active);
        Assert.Empty((await Fhir("/fhir/$export?_type=OrganizationAffiliation&jurisdiction=530112")).Text.Trim());
        Assert.Equal(HttpStatusCode.BadRequest, (await Fhir("/fhir/$export?_type=Patient")).Status);

        // The same resources read one by one.
        var read = ParseAndValidate<OrganizationAffiliation>((await Fhir($"/fhir/OrganizationAffiliation/{w.Partnership}")).Text);
        Assert.Equal(affiliation.Period!.End, read.Period!.End);
        var location = ParseAndValidate<Location>((await Fhir($"/fhir/Location/{w.Home}")).Text);
        Assert.Equal($"Organization/{w.Home}", location.ManagingOrganization!.Reference);
        Assert.Equal("昆明市官渡区关上街道1号", location.Address!.Text);
        Assert.Equal(HttpStatusCode.NotFound, (await Fhir($"/fhir/Location/{Guid.CreateVersion7()}")).Status);
    }

    [Fact]
    public async System.Threading.Tasks.Task FHIR_needs_the_same_bearer_token_and_scope_as_the_api()
    {
        var w = await BuildWorld();
        Assert.Equal(HttpStatusCode.Unauthorized, (await Fhir($"/fhir/Organization/{w.Home}", Fixture.Anonymous)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Fhir("/fhir/$export?_type=Organization", Fixture.Anonymous)).Status);

        var xishan = Fixture.Tokens.For("xishan-officer", Department.CivilAffairs, Role.Officer, "530112");
        async Task<(HttpStatusCode, string)> As(string url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", xishan);
            using var response = await Fixture.Anonymous.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await As($"/fhir/Organization/{w.Home}")).Item1);
        Assert.Equal(HttpStatusCode.Forbidden, (await As("/fhir/Organization?jurisdiction=530111")).Item1);
        Assert.Equal(HttpStatusCode.Forbidden, (await As($"/fhir/Location/{w.Home}")).Item1);
        Assert.Equal(HttpStatusCode.Forbidden, (await As($"/fhir/OrganizationAffiliation/{w.Partnership}")).Item1);
        // Without a jurisdiction, a search and an export are narrowed to the caller's.
        var (_, own) = await As("/fhir/Organization");
        Assert.Single(ParseAndValidate<Bundle>(own).Entry);
        var (_, exported) = await As("/fhir/$export?_type=Location");
        Assert.Single(exported.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
