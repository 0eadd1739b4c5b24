namespace CareRegistry.WebConsole;

// Downloads (CSV, .xlsx) served under the console's own addresses with the session cookie: each one asks the API
// endpoint for the file and passes its answer on unchanged.
public static class ConsoleDownloads
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/download/{what}", Download).ExcludeFromDescription().RequireAuthorization(p => p.AddAuthenticationSchemes(ConsoleSetup.Scheme).RequireAuthenticatedUser());
    }

    // Which API list each download is; the query is passed on as given (the API refuses what it does not declare).
    private static readonly Dictionary<string, string> Routes = new()
    {
        ["table"] = "/api/statistics/integrated-care",
        ["institutions"] = "/api/institutions",
        ["alerts"] = "/api/alerts",
    };

    private static async Task<IResult> Download(string what, HttpContext http, RegistryApi api)
    {
        if (!Routes.TryGetValue(what, out var route)) return Results.NotFound();
        var query = http.Request.Query.Select(q => new KeyValuePair<string, string?>(q.Key, q.Value.ToString()));
        var answer = await api.Get(route, query: query, ct: http.RequestAborted);
        foreach (var header in new[] { "Content-Disposition", "Link" })
            if (answer.Headers.TryGetValue(header, out var value)) http.Response.Headers[header] = value;
        http.Response.StatusCode = answer.Status;
        http.Response.ContentType = answer.ContentType ?? "application/octet-stream";
        await http.Response.Body.WriteAsync(answer.Bytes, http.RequestAborted);
        return Results.Empty;
    }
}
