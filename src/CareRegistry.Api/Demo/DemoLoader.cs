using System.Net.Http.Json;
using CareRegistry.Common;
using CareRegistry.Institutions;

namespace CareRegistry.Demo;

// Loads the demo data through the public API, exactly as a user would, and only into an empty registry.
public sealed class DemoLoader(HttpClient http, TextWriter log)
{
    public async Task<bool> LoadAsync(CancellationToken ct = default)
    {
        var existing = await http.GetFromJsonAsync<Page<InstitutionSummary>>("/api/institutions?limit=1", Json.Options, ct);
        if (existing is { Items.Count: > 0 })
        {
            await log.WriteLineAsync("demo data: the registry already holds institutions; nothing loaded");
            return false;
        }

        foreach (var e in DemoInstitutions.All)
        {
            var command = new RegisterInstitution(e.Name, e.LatinName, DemoInstitutions.UsccFor(e), e.Kind, e.Subtype, e.Grade,
                e.Ownership, e.Jurisdiction, e.Address, e.Beds, e.Operator, null, e.EstablishedOn);
            await SendAsync("/api/institutions", command, ct);
        }
        await log.WriteLineAsync($"demo data: {DemoInstitutions.All.Length} institutions registered");
        return true;
    }

    private async Task<CommandAccepted> SendAsync(string url, object command, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(command, options: Json.Options) };
        request.Headers.Add("X-Data-Source", "demo");
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"demo data: POST {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        return (await response.Content.ReadFromJsonAsync<CommandAccepted>(Json.Options, ct))!;
    }
}
