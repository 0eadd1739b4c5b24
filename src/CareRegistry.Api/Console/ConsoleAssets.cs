using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace CareRegistry.WebConsole;

// The console's stylesheet and script bundle travel inside the assembly (built by esbuild from Console/Assets and
// Console/Scripts), so a service copied anywhere serves them without a web root and without the internet.
public static class ConsoleAssets
{
    private static readonly ConcurrentDictionary<string, (byte[] Bytes, string ETag)?> Cache = new();

    private static readonly Dictionary<string, string> Types = new()
    {
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static IResult Serve(string name, HttpContext http)
    {
        if (Load(name) is not { } asset || !Types.TryGetValue(Path.GetExtension(name), out var type)) return Results.NotFound();
        if (http.Request.Headers.IfNoneMatch.ToString() == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        http.Response.Headers.ETag = asset.ETag;
        http.Response.Headers.Vary = "Accept-Encoding";
        // The build compresses the bundle once (Brotli and gzip); the browser gets the smallest it accepts.
        var accepts = http.Request.Headers.AcceptEncoding.ToString();
        foreach (var (encoding, suffix) in new[] { ("br", ".br"), ("gzip", ".gz") })
            if (accepts.Contains(encoding, StringComparison.OrdinalIgnoreCase) && Load(name + suffix) is { } packed)
            {
                http.Response.Headers.ContentEncoding = encoding;
                http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
                return Results.Bytes(packed.Bytes, type);
            }
        // Pages link assets with ?v=<hash>, so a cached copy is never stale.
        http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return Results.Bytes(asset.Bytes, type);
    }

    // "/console/assets/console.css?v=…": the address a page links, which changes with the content.
    public static string Url(string name) =>
        Load(name) is { } asset ? $"/console/assets/{name}?v={asset.ETag.Trim('"')}" : $"/console/assets/{name}";

    public static int Size(string name) => Load(name)?.Bytes.Length ?? 0;

    private static (byte[] Bytes, string ETag)? Load(string name) => Cache.GetOrAdd(name, n =>
    {
        if (n.Contains('/') || n.Contains('\\')) return null;
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream($"CareRegistry.Console.assets.{n}");
        if (stream is null) return null;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return (bytes, $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant()}\"");
    });
}
