using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Permits;

namespace CareRegistry.Tests.Infrastructure;

// For tests about behaviour rather than access: each request goes out with the token of a national caller allowed
// to send it (an officer of the deciding department, an auditor for reads, an admin for admin routes). A request
// that already carries Authorization is sent as it is — the access tests do that.
public sealed partial class RightOfficerHandler(DevTokens tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (request.Headers.Authorization is null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenFor(request, ct));
        return await base.SendAsync(request, ct);
    }

    private async Task<string> TokenFor(HttpRequestMessage request, CancellationToken ct)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Get) return tokens.For("test-auditor", null, Role.Auditor);
        if (path.StartsWith("/api/admin/") || path.EndsWith("/demerit-threshold")) return tokens.For("test-admin", null, Role.Admin);

        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(ct);
        if (path.EndsWith("/ratings") && Field(body, "scheme") == "hospital-grade") return tokens.For("test-health", Department.Health, Role.Officer);
        if (path.EndsWith("/services") && Field(body, "service") is { } service && Json.TryParse<CareRegistry.Institutions.CareService>(service, out var offered))
            return tokens.For("test-service", CareRegistry.Institutions.CareServices.OwnerOf(offered), Role.Officer);
        if (path.EndsWith("/designations") || path.EndsWith("/staff")) return tokens.For("test-health", Department.Health, Role.Officer);
        if (path.StartsWith("/api/inspections")) return await InspectionToken(request.RequestUri!, path, body, ct);
        if (path == "/api/corrections") return await RecorderToken(request.RequestUri!, body, ct);
        var department = Department.CivilAffairs;
        if (PermitRoute().Match(path) is { Success: true } m)
            department = await PermitDepartment(request.RequestUri, m.Groups["institution"].Value, m.Groups["permit"].Value, ct) ?? department;
        else if ((Field(body, "type") ?? Field(body, "permitType")) is { } wire && Json.TryParse<PermitType>(wire, out var type))
            department = PermitTypes.DepartmentOf(type);
        else if (path.EndsWith("/enforcement") && Field(body, "permitId") is { } permit)
            department = await PermitDepartment(request.RequestUri, path.Split('/')[3], permit, ct) ?? department;
        return tokens.For($"test-{Json.Wire(department)}", department, Role.Officer);
    }

    // Inspectors of the inspection's first department; a dispute is decided by an officer.
    private async Task<string> InspectionToken(Uri at, string path, string? body, CancellationToken ct)
    {
        string? wire = null;
        if (path == "/api/inspections")
        {
            try { wire = JsonDocument.Parse(body ?? "{}").RootElement.GetProperty("departments")[0].GetString(); }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException) { }
        }
        else
        {
            using var lookup = new HttpRequestMessage(HttpMethod.Get, new Uri(at, $"/api/inspections/{path.Split('/')[3]}"));
            lookup.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For("test-auditor", null, Role.Auditor));
            using var response = await base.SendAsync(lookup, ct);
            if (response.IsSuccessStatusCode)
                wire = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("departments")[0].GetString();
        }
        var department = Json.TryParse<Department>(wire, out var d) ? d : Department.Health;
        var role = path.EndsWith("/dispute/decision") ? Role.Officer : Role.Inspector;
        return tokens.For($"test-{Json.Wire(department)}-{Json.Wire(role)}", department, role);
    }

    // A correction is made by whoever's department and role recorded the entry.
    private async Task<string> RecorderToken(Uri at, string? body, CancellationToken ct)
    {
        var (department, role) = (Department.CivilAffairs, Role.Officer);
        try
        {
            var root = JsonDocument.Parse(body ?? "{}").RootElement;
            var (stream, version) = (root.GetProperty("streamId").GetString(), root.GetProperty("version").GetInt64());
            using var lookup = new HttpRequestMessage(HttpMethod.Get, new Uri(at, $"/api/audit/streams/{stream}"));
            lookup.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For("test-auditor", null, Role.Auditor));
            using var response = await base.SendAsync(lookup, ct);
            if (response.IsSuccessStatusCode)
                foreach (var e in JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.EnumerateArray())
                    if (e.GetProperty("event").GetProperty("version").GetInt64() == version)
                    {
                        var recorded = e.GetProperty("event");
                        if (recorded.TryGetProperty("department", out var d) && Json.TryParse<Department>(d.GetString(), out var dep)) department = dep;
                        if (recorded.TryGetProperty("role", out var r) && Json.TryParse<Role>(r.GetString(), out var rol) && rol is Role.Officer or Role.Inspector) role = rol;
                    }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
        return tokens.For($"test-{Json.Wire(department)}-{Json.Wire(role)}", department, role);
    }

    private async Task<Department?> PermitDepartment(Uri at, string institution, string permit, CancellationToken ct)
    {
        using var lookup = new HttpRequestMessage(HttpMethod.Get, new Uri(at, $"/api/institutions/{institution}/permits/{permit}"));
        lookup.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For("test-auditor", null, Role.Auditor));
        using var response = await base.SendAsync(lookup, ct);
        if (!response.IsSuccessStatusCode) return null;
        var view = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return Json.TryParse<Department>(view.RootElement.GetProperty("department").GetString(), out var d) ? d : null;
    }

    private static string? Field(string? body, string name)
    {
        try
        {
            return body is not null && JsonDocument.Parse(body).RootElement is { ValueKind: JsonValueKind.Object } root
                   && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException) { return null; }
    }

    [GeneratedRegex("^/api/institutions/(?<institution>[^/]+)/permits/(?<permit>[^/]+)/")]
    private static partial Regex PermitRoute();
}
