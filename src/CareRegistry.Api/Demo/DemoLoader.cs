using System.Net.Http.Json;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Designations;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;

namespace CareRegistry.Demo;

// Loads the demo data through the public API, exactly as users would — each decision sent by a national officer
// of the department that owns it — and only into an empty registry.
public sealed class DemoLoader(HttpClient http, TextWriter log, DevTokens tokens)
{
    public async Task<bool> LoadAsync(CancellationToken ct = default)
    {
        using var probe = new HttpRequestMessage(HttpMethod.Get, "/api/institutions?limit=1");
        probe.Headers.Authorization = new("Bearer", tokens.For("demo-loader", null, Role.Auditor));
        using var probed = await http.SendAsync(probe, ct);
        probed.EnsureSuccessStatusCode();
        var existing = await probed.Content.ReadFromJsonAsync<Page<InstitutionSummary>>(Json.Options, ct);
        if (existing is { Items.Count: > 0 })
        {
            await log.WriteLineAsync("demo data: the registry already holds institutions; nothing loaded");
            return false;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var phases = new List<string>();
        void Phase(string name) { phases.Add($"{name} {clock.Elapsed.TotalSeconds:F1} s"); clock.Restart(); }
        foreach (var r in DemoPermits.Regimes)
            await SendAsync($"/api/jurisdictions/{r.Jurisdiction}/regimes", new RecordRegime(r.Type, r.Regime, r.EffectiveOn, r.Basis, PendingApplications.Convert),
                PermitTypes.DepartmentOf(r.Type), ct);

        foreach (var p in DemoPermits.Populations)
            await SendAsync($"/api/jurisdictions/{p.Jurisdiction}/population", new RecordPopulation(p.Aged60, null, p.Aged80, p.EffectiveOn, p.Source, p.Total),
                Department.CivilAffairs, ct);
        foreach (var d in DemoDesignations.Jurisdictions)
            await SendAsync($"/api/jurisdictions/{d.Jurisdiction}/designations", new RecordDesignation(d.Programme, d.Level, d.By, d.On, null, d.Basis), Designation.Owner, ct);

        // The named institutions one by one, as an officer registers them; the thousands of placeholders in batches,
        // each batch one command and one transaction.
        var ids = new Dictionary<string, Guid>();
        RegisterInstitution Command(DemoInstitutions.Entry e) => new(e.Name, e.LatinName, DemoInstitutions.UsccFor(e), e.Kind, e.Subtype, e.Grade,
            e.Ownership, e.Jurisdiction, e.Address, e.Beds, e.Operator, null, e.EstablishedOn, DemoInstitutions.LocationOf(e));
        Phase("rules");
        foreach (var e in DemoInstitutions.All.Where(e => !e.IsPlaceholder))
            ids[e.Key] = (await SendAsync("/api/institutions", Command(e), Department.CivilAffairs, ct)).Id;
        Phase("named");
        foreach (var batch in DemoInstitutions.All.Where(e => e.IsPlaceholder).Chunk(BatchSize))
        {
            var registered = await SendAsync<InstitutionsRegistered>("/api/institutions/batch", new RegisterInstitutions(batch.Select(Command).ToList()), Department.CivilAffairs, ct);
            for (var k = 0; k < batch.Length; k++) ids[batch[k].Key] = registered.Ids[k];
        }
        // 涪城区西山社区卫生服务中心's care unit (医养中心), in use since 2015-09.
        await SendAsync($"/api/institutions/{ids["xishan-chc"]}/beds", new ChangeBeds(new DateOnly(2015, 9, 1), new BedsInput(ElderlyCare: 20, Medical: 30),
            "绵卫函〔2017〕263号：投入60余万元建设医养中心，于2015年9月投入使用（床位数未载，示例）"), Department.Health, ct);

        Phase("placeholders");
        // Commands on different institutions do not touch each other's streams: a few at a time, each institution's
        // own permits in order.
        var permits = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(DemoPermits.All().GroupBy(p => p.Institution), parallel, async (group, token) =>
        {
            foreach (var p in group)
            {
                var institution = ids[p.Institution];
                var department = PermitTypes.DepartmentOf(p.Type);
                var permitId = (await SendAsync($"/api/institutions/{institution}/permits", new SubmitPermit(p.Type, p.Number, p.SubmittedOn, p.ExpiresOn, null), department, token)).Id;
                var url = $"/api/institutions/{institution}/permits/{permitId}";
                if (p.GrantedOn is { } granted)
                    await SendAsync($"{url}/decision", new DecideApplication(Decision.Granted, granted, null, null, null), department, token);
                if (p.RevokedOn is { } revoked)
                    await SendAsync($"{url}/revocation", new RevokePermit(revoked, p.RevocationReason), department, token);
                Interlocked.Increment(ref permits);
            }
        });
        Phase("permits");
        await Parallel.ForEachAsync(DemoSupervision.Agreements, parallel, async (a, token) =>
            await SendAsync("/api/partnerships", new SignPartnership(a.Kind, [ids[a.Party], ids[a.Partner]], a.Services, a.From, a.To), Department.Health, token));
        Phase("agreements");
        foreach (var d in DemoDesignations.Institutions)
            await SendAsync($"/api/institutions/{ids[d.Institution]}/designations", new RecordDesignation(d.Programme, d.Level, d.By, d.On, null, d.Basis), Designation.Owner, ct);

        foreach (var sv in DemoServices.All)
            await SendAsync($"/api/institutions/{ids[sv.Institution]}/services", new RecordService(sv.Service, true, sv.On, sv.Basis), CareServices.OwnerOf(sv.Service), ct);
        Phase("designations");
        foreach (var i in DemoSupervision.Inspections)
        {
            var department = i.Departments[0];
            var inspection = (await SendAsync("/api/inspections", new OpenInspection(i.Kind, i.Institutions.Select(k => ids[k]).ToArray(), i.Departments, i.Inspectors, i.OpenedOn),
                department, ct, Role.Inspector)).Id;
            foreach (var f in i.Findings)
            {
                var url = $"/api/inspections/{inspection}/findings";
                var finding = (await SendAsync(url, new RecordFinding(ids[f.Institution], f.Category, f.Severity, f.Points, f.Description, f.Due, i.OpenedOn),
                    department, ct, Role.Inspector)).FindingId;
                url += $"/{finding}";
                if (f.ReportedOn is { } reported) await SendAsync($"{url}/rectification", new ReportRectification(reported, "已整改"), department, ct, Role.Inspector);
                if (f.RejectedOn is { } rejected)
                {
                    await SendAsync($"{url}/verification", new VerifyRectification(rejected, VerificationOutcome.Rejected, "复查仍未整改到位"), department, ct, Role.Inspector);
                    await SendAsync($"{url}/rectification", new ReportRectification(f.ReportedAgainOn!.Value, "再次整改"), department, ct, Role.Inspector);
                }
                if (f.AcceptedOn is { } accepted) await SendAsync($"{url}/verification", new VerifyRectification(accepted, VerificationOutcome.Accepted, null), department, ct, Role.Inspector);
            }
            if (i.ClosedOn is { } closed) await SendAsync($"/api/inspections/{inspection}/close", new CloseInspection(closed, "检查结束，按期整改"), department, ct, Role.Inspector);
        }

        await log.WriteLineAsync($"demo data: {DemoPermits.Regimes.Length} regime changes, {ids.Count} institutions, {permits} permits, " +
                                 $"{DemoSupervision.Agreements.Length} agreements, {DemoSupervision.Inspections.Length} inspections");
        Phase("inspections");
        await log.WriteLineAsync("demo data timing: " + string.Join(", ", phases));
        return true;
    }

    public const int BatchSize = 500;
    public const int Parallelism = 4;

    private Task<Accepted> SendAsync(string url, object command, Department department, CancellationToken ct, Role role = Role.Officer) =>
        SendAsync<Accepted>(url, command, department, ct, role);

    private async Task<T> SendAsync<T>(string url, object command, Department department, CancellationToken ct, Role role = Role.Officer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(command, options: Json.Options) };
        request.Headers.Authorization = new("Bearer", tokens.For($"demo-{Json.Wire(department)}-{Json.Wire(role)}", department, role));
        request.Headers.Add("X-Data-Source", "demo");
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"demo data: POST {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        return (await response.Content.ReadFromJsonAsync<T>(Json.Options, ct))!;
    }

    private sealed record Accepted(Guid Id, long Version, Guid FindingId);
}
