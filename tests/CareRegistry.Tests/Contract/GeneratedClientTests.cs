using System.Net.Http.Headers;
using CareRegistry.Access;
using CareRegistry.Tests.Generated;
using CareRegistry.Tests.Infrastructure;
using Department = CareRegistry.Common.Department;
using Role = CareRegistry.Common.Role;

namespace CareRegistry.Tests.Contract;

// What a client team gets from docs/openapi.json: a client generated from it alone (NSwag, at build time) registers
// an institution, files a permit, records a finding and reads the monitoring table, each caller with its own token.
public sealed class GeneratedClientTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    private RegistryClient As(string user, Department? department, Role role, string jurisdiction)
    {
        var http = Fixture.NewClient(new Bearer(Fixture.Tokens.For(user, department, role, jurisdiction)));
        return new RegistryClient(http);
    }

    [Fact]
    public async Task A_generated_client_registers_files_inspects_and_reads_the_monitoring_table()
    {
        var ministry = As("minzheng-bu", Department.CivilAffairs, Role.Officer, "00");
        var kunming = As("zhang", Department.CivilAffairs, Role.Officer, "5301");
        var inspector = As("li", Department.Health, Role.Inspector, "5301");

        // The national reform: elderly-care institutions are filed, not approved, from 2018-12-29.
        await ministry.RecordRegimeAsync("00", null, null, new RecordRegime
        {
            PermitType = PermitType.ElderlyCare, Regime = Regime.Filing, EffectiveOn = new DateTimeOffset(2018, 12, 29, 0, 0, 0, TimeSpan.Zero),
            Basis = "《中华人民共和国老年人权益保障法》2018年修正", PendingApplications = PendingApplications.Keep,
        });

        var registered = await kunming.RegisterInstitutionAsync(null, new RegisterInstitution
        {
            Name = "西山区生成客户端养老院", LatinName = "Generated Client Care Home", Uscc = Scenario.NewUscc("530112"), Kind = InstitutionKind.ElderlyCare,
            Ownership = Ownership.Private, Jurisdiction = "530112", Address = "云南省昆明市西山区测试路8号",
            Beds = new BedsInput { ElderlyCare = 80, Nursing = 20 }, EstablishedOn = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
        });
        Assert.Equal(1, registered.Version);

        var permit = await kunming.SubmitPermitAsync(registered.Id, null, new SubmitPermit
        {
            Type = PermitType.ElderlyCare, EffectiveOn = new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero), Scope = "养老服务",
        });
        Assert.Equal("active", permit.Status);
        Assert.Equal("filing", permit.Regime);

        var inspection = await inspector.OpenInspectionAsync(null, new OpenInspection
        {
            Kind = InspectionKind.Routine, InstitutionIds = [registered.Id], Departments = [Generated.Department.Health], Inspectors = ["李监督"],
            OpenedOn = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero),
        });
        var finding = await inspector.RecordFindingAsync(inspection.Id, null, null, new RecordFinding
        {
            InstitutionId = registered.Id, Category = FindingCategory.FireSafety, Severity = Severity.Major, DemeritPoints = 4,
            Description = "疏散通道堆放杂物", FoundOn = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero),
        });
        Assert.NotEqual(Guid.Empty, finding.FindingId);

        await Fixture.Projected();
        // Read right after recording: the documented Cache-Control asks for every figure as projected.
        var table = await kunming.GetMonitoringTableAsync("530112", new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), null, null, null, "no-cache");
        Assert.Equal("530112", table.Jurisdiction);
        Assert.Equal(1, table.Figures.Single(f => f.Key == "elderly-care-institutions").Value);
        Assert.Equal(1, table.Figures.Single(f => f.Key == "findings-major").Value);

        // A refusal arrives as the documented problem, typed.
        var refused = await Assert.ThrowsAsync<ApiException<Problem>>(() => inspector.SubmitPermitAsync(registered.Id, null,
            new SubmitPermit { Type = PermitType.ElderlyCare, EffectiveOn = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero) }));
        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(403, refused.Result.Status);
    }

    private sealed class Bearer(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, ct);
        }
    }
}
