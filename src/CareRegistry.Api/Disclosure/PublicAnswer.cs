using System.Security.Cryptography;
using System.Text.Json;
using CareRegistry.Common;
using CareRegistry.Spreadsheets;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace CareRegistry.Disclosure;

// How every /public list answers so that a public site or a CDN can cache it: a strong ETag over the content (a
// hash of the JSON page), 304 when If-None-Match names it, Cache-Control public for five minutes (the lists trail the
// registry by the projection's lag anyway), and Last-Modified the moment of the last event recorded — no list changes
// without one. If-Modified-Since is not honoured (a list can lose an entry without a newer event of its own), so a
// cache revalidates with the ETag.
public static class PublicAnswer
{
    public const string CacheControl = "public, max-age=300";

    // Decisions stay public for three years from the decision (docs/integration.md gives the basis).
    public const int DisclosureYears = 3;

    public static string ETagOf<T>(Page<T> page, string representation = "json")
    {
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(page, Common.Json.Options));
        return $"\"{Convert.ToHexStringLower(hash)[..32]}-{representation}\"";
    }

    // True when the client already holds this representation: the 304 is answered with the same validators.
    public static bool NotModified(HttpContext http, string etag, DateTimeOffset? lastModified)
    {
        var headers = http.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = CacheControl;
        headers.Vary = "Accept";
        if (lastModified is { } at) headers.LastModified = at.ToUniversalTime().ToString("R");
        var asked = http.Request.Headers.IfNoneMatch.ToString();
        if (string.IsNullOrWhiteSpace(asked)) return false;
        // Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
        return asked.Split(',').Select(t => t.Trim()).Any(t => t == "*" || (t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t) == etag);
    }

    public static async Task<DateTimeOffset?> LastRecordedAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var command = database.CreateCommand("select timestamp from mt_events order by seq_id desc limit 1");
        return await command.ExecuteScalarAsync(ct) is DateTime t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
    }

    // The page as JSON, CSV or .xlsx (each its own ETag), or 304 before anything is rendered.
    public static IResult Answer<T>(HttpContext http, TableFormat format, string name, Page<T> page, IReadOnlyList<Column<T>> columns, DateTimeOffset? lastModified) =>
        NotModified(http, ETagOf(page, Tabular.Extension(format)), lastModified) ? Results.StatusCode(StatusCodes.Status304NotModified)
        : format == TableFormat.Json ? Results.Json(page, Common.Json.Options)
        : Tabular.File(http, format, name, page.Items, columns, page.Next);
}
