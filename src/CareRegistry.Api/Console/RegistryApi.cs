using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Http.Features;

namespace CareRegistry.WebConsole;

// What one API call answered: status, headers and body as the API wrote them (problem details included).
public sealed class ApiAnswer(int status, IHeaderDictionary headers, byte[] bytes, string? contentType)
{
    private JsonNode? _json;
    private bool _parsed;

    public int Status { get; } = status;
    public IHeaderDictionary Headers { get; } = headers;
    public byte[] Bytes { get; } = bytes;
    public string? ContentType { get; } = contentType;
    public bool Ok => Status is >= 200 and < 300;
    public bool IsProblem => ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) == true;

    // The body as JSON (null when empty or not JSON).
    public JsonNode? Json
    {
        get
        {
            if (_parsed) return _json;
            _parsed = true;
            try { _json = Bytes.Length > 0 && ContentType?.Contains("json", StringComparison.Ordinal) == true ? JsonNode.Parse(Bytes) : null; }
            catch (JsonException) { _json = null; }
            return _json;
        }
    }

    public string Text => Encoding.UTF8.GetString(Bytes);

    // Problem details, for a form to show: title, detail, and the message(s) per field ("errors").
    public string? Title => IsProblem ? Json?["title"]?.GetValue<string>() : null;
    public string? Detail => IsProblem ? Json?["detail"]?.GetValue<string>() : null;
    public IReadOnlyDictionary<string, string[]> Errors =>
        Json?["errors"] is JsonObject errors && IsProblem
            ? errors.ToDictionary(e => e.Key, e => e.Value is JsonArray a ? a.Select(x => x?.ToString() ?? "").ToArray() : [e.Value?.ToString() ?? ""])
            : new Dictionary<string, string[]>();
    public string? ETag => Headers.ETag.ToString() is { Length: > 0 } e ? e : null;
}

// The console reads and writes through the API's own endpoints, in process: the same Wolverine chain (access gate,
// declared-query check, validation, handler, Marten query) runs on a request-scoped HttpContext whose User is the
// signed-in principal with the API's claims. No rule or access decision is repeated here. POSTs go through the
// Idempotency middleware too, so a form's Idempotency-Key behaves as it does for any client.
public sealed class RegistryApi(
    EndpointDataSource endpoints,
    IServiceScopeFactory scopes,
    IHttpContextAccessor accessor,
    IServiceProvider services)
{
    private static readonly ConcurrentDictionary<(string, string), RouteEndpoint> Found = new();

    // Per endpoint: the middleware an /api request passes after routing and authentication (command metrics, then
    // idempotency keys), ending in the endpoint's own delegate. Both let GETs through untouched.
    private static readonly ConcurrentDictionary<RouteEndpoint, RequestDelegate> Pipelines = new();

    public Task<ApiAnswer> Get(string route, object? routeValues = null, IEnumerable<KeyValuePair<string, string?>>? query = null, string? accept = null,
        CancellationToken ct = default) =>
        Send("GET", route, routeValues, query, body: null, accept: accept, ct: ct);

    // A command: the body is serialised with the API's JSON options; idempotencyKey and ifMatch ("N" or N) as the API documents.
    public Task<ApiAnswer> Post(string route, object? routeValues, object body, string? idempotencyKey = null, string? ifMatch = null,
        CancellationToken ct = default) =>
        Send("POST", route, routeValues, null, body, idempotencyKey: idempotencyKey, ifMatch: ifMatch, ct: ct);

    public async Task<ApiAnswer> Send(string method, string route, object? routeValues, IEnumerable<KeyValuePair<string, string?>>? query, object? body,
        string? accept = null, string? idempotencyKey = null, string? ifMatch = null, ClaimsPrincipal? user = null, CancellationToken ct = default)
    {
        var endpoint = Find(method, route);
        // Route values travel as text, as they would in a URL.
        var values = new RouteValueDictionary();
        foreach (var (k, v) in new RouteValueDictionary(routeValues)) values[k] = Convert.ToString(v, CultureInfo.InvariantCulture);
        await using var scope = scopes.CreateAsyncScope();
        var outer = accessor.HttpContext;
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.User = user ?? outer?.User ?? new ClaimsPrincipal(new ClaimsIdentity());
        context.TraceIdentifier = outer?.TraceIdentifier ?? Guid.NewGuid().ToString("N");
        if (outer is not null) context.Connection.RemoteIpAddress = outer.Connection.RemoteIpAddress;

        var request = context.Request;
        request.Method = method;
        request.Scheme = outer?.Request.Scheme ?? "http";
        request.Host = outer?.Request.Host ?? new HostString("localhost");
        request.Path = Expand(route, values);
        request.RouteValues = values;
        if (query is not null)
            request.QueryString = QueryString.Create(query.Where(q => !string.IsNullOrEmpty(q.Value)));
        request.Headers.AcceptLanguage = CultureInfo.CurrentUICulture.Name is { Length: > 0 } lang ? lang : "zh-CN";
        request.Headers.Accept = accept ?? "application/json";
        if (idempotencyKey is not null) request.Headers["Idempotency-Key"] = idempotencyKey;
        if (ifMatch is not null) request.Headers.IfMatch = ifMatch.StartsWith('"') ? ifMatch : $"\"{ifMatch}\"";
        if (outer?.Request.Headers["X-Correlation-Id"].ToString() is { Length: > 0 } correlation) request.Headers["X-Correlation-Id"] = correlation;
        if (body is not null)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Common.Json.Options);
            request.Body = new MemoryStream(json);
            request.ContentType = "application/json";
            request.ContentLength = json.Length;
        }

        var response = new ResponseFeature();
        context.Features.Set<IHttpResponseFeature>(response);
        var responseBody = new MemoryStream();
        context.Response.Body = responseBody;
        context.SetEndpoint(endpoint);
        if (ct.CanBeCanceled) context.RequestAborted = ct;

        var pipeline = Pipelines.GetOrAdd(endpoint, e =>
        {
            var app = new Microsoft.AspNetCore.Builder.ApplicationBuilder(services);
            app.UseCommandMetrics();
            app.UseMiddleware<Idempotency>();
            app.Run(e.RequestDelegate!);
            return app.Build();
        });

        try
        {
            await pipeline(context);
            await response.StartAsync();
        }
        catch (Exception e) when (!response.HasStarted)
        {
            // As UseExceptionHandler would: the API's own handlers turn what a request can provoke into problem details.
            responseBody.SetLength(0);
            var handled = false;
            foreach (var handler in scope.ServiceProvider.GetServices<IExceptionHandler>())
                if (handled = await handler.TryHandleAsync(context, e, ct)) break;
            if (!handled) throw;
            await response.StartAsync();
        }

        finally
        {
            await response.CompleteAsync();
        }

        return new ApiAnswer(context.Response.StatusCode, context.Response.Headers, responseBody.ToArray(), context.Response.ContentType);
    }

    // A response that runs its OnStarting and OnCompleted callbacks as a server would (the command metrics use one).
    private sealed class ResponseFeature : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];
        private readonly List<(Func<object, Task> Callback, object State)> _completed = [];
        private bool _started;

        public override bool HasStarted => _started;

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Insert(0, (callback, state));

        public override void OnCompleted(Func<object, Task> callback, object state) => _completed.Insert(0, (callback, state));

        public async Task StartAsync()
        {
            if (_started) return;
            foreach (var (callback, state) in _starting) await callback(state);
            _started = true;
        }

        public async Task CompleteAsync()
        {
            _started = true;
            foreach (var (callback, state) in _completed) await callback(state);
        }
    }

    // The endpoint the API maps for this method and route template (exactly as written on the endpoint, e.g.
    // "/api/institutions/{id}").
    public RouteEndpoint Find(string method, string route) => Found.GetOrAdd((method, route), key =>
        endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e =>
            string.Equals(e.RoutePattern.RawText?.TrimStart('/'), key.Item2.TrimStart('/'), StringComparison.OrdinalIgnoreCase)
            && e.Metadata.GetOrderedMetadata<HttpMethodMetadata>().Any(m => m.HttpMethods.Contains(key.Item1)))
        ?? throw new InvalidOperationException($"no API endpoint for {key.Item1} {key.Item2}"));

    private static string Expand(string route, RouteValueDictionary values)
    {
        var path = new StringBuilder();
        for (var i = 0; i < route.Length; i++)
        {
            if (route[i] != '{') { path.Append(route[i]); continue; }
            var end = route.IndexOf('}', i);
            var name = route[(i + 1)..end].Split(':', '=', '?')[0].TrimStart('*');
            path.Append(Uri.EscapeDataString(Convert.ToString(values[name], CultureInfo.InvariantCulture) ?? ""));
            i = end;
        }
        return path.ToString();
    }
}
