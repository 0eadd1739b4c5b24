using System.Globalization;
using System.Text.Json.Nodes;

namespace CareRegistry.WebConsole;

// Small helpers the pages share: reading the API's JSON, building query strings, naming values.
public static class Ui
{
    public static string? Str(this JsonNode? node, string name) => node?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?[name]?.ToString();

    public static long? Num(this JsonNode? node, string name) => node?[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    public static decimal? Dec(this JsonNode? node, string name) => node?[name] is JsonValue v && v.TryGetValue<decimal>(out var n) ? n : null;

    public static bool Flag(this JsonNode? node, string name) => node?[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public static IEnumerable<JsonNode> Items(this JsonNode? node, string name = "items") =>
        node?[name] is JsonArray a ? a.Where(x => x is not null).Select(x => x!) : [];

    // A query string from the non-empty pairs, for links that keep the page's filters.
    public static string Query(IEnumerable<KeyValuePair<string, string?>> pairs) =>
        QueryString.Create(pairs.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();

    public static string Query(params (string Key, string? Value)[] pairs) => Query(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    public static KeyValuePair<string, string?> P(string key, string? value) => KeyValuePair.Create(key, value);

    // An RFC 3339 instant shown in China time, which is what officers read.
    public static string Instant(string? rfc3339)
    {
        if (rfc3339 is null || !DateTimeOffset.TryParse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return rfc3339 ?? "";
        return t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " (UTC+8)";
    }

    public static string Number(long? n) => n?.ToString("N0", CultureInfo.InvariantCulture) ?? "";

    public static string Number(decimal? n) => n?.ToString(n % 1 == 0 ? "N0" : "N1", CultureInfo.InvariantCulture) ?? "";

    public static string Today() => DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
