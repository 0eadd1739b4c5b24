namespace CareRegistry.WebConsole;

// Downloads (CSV, .xlsx) served under the console's own addresses with the session cookie: each one asks the API
// endpoint for the file and passes its answer on unchanged.
public static class ConsoleDownloads
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/download/{what}", Download).ExcludeFromDescription().RequireAuthorization(SignedIn).AnswerHead();
        app.MapGet("/console/data/trend", Trend).ExcludeFromDescription().RequireAuthorization(SignedIn).AnswerHead();
    }

    private static void SignedIn(Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder p) =>
        p.AddAuthenticationSchemes(ConsoleSetup.Scheme).RequireAuthenticatedUser();

    // Each monitoring-table figure at the end of each of the last ten years and on the day shown, for the trend chart:
    // the same API read once per date. Fetched by the chart script, so the page itself stays one table read.
    private static async Task<IResult> Trend(string? jurisdiction, string? asOf, HttpContext http, RegistryApi api)
    {
        var day = DateOnly.TryParseExact(asOf, "yyyy-MM-dd", out var d) ? d : DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var dates = Enumerable.Range(1, 10).Select(n => new DateOnly(day.Year - 11 + n, 12, 31)).Where(x => x < day).Append(day).ToList();
        var series = new System.Text.Json.Nodes.JsonObject();
        var labels = new System.Text.Json.Nodes.JsonArray();
        foreach (var date in dates)
        {
            var text = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var answer = await api.Get("/api/statistics/integrated-care", query: [Ui.P("jurisdiction", jurisdiction), Ui.P("asOf", text)], ct: http.RequestAborted);
            if (!answer.Ok) return Results.StatusCode(answer.Status);
            labels.Add(text);
            foreach (var f in answer.Json.Items("figures"))
            {
                var key = f.Str("key") ?? "";
                if (series[key] is not System.Text.Json.Nodes.JsonArray values) series[key] = values = [];
                values.Add(f["value"]?.DeepClone());
            }
        }
        return Results.Json(new System.Text.Json.Nodes.JsonObject { ["dates"] = labels, ["series"] = series });
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
