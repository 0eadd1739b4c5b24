using CareRegistry.Localization;
using System.Globalization;
using System.Text;

namespace CareRegistry.Common;

// Query-string values that reads share: asOf, recordedAsOf, cursor and limit. Parsed by hand so that a bad value is
// a 400 naming the parameter, not a silent default.
public static class ReadParameters
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static DateOnly? AsOf(Validation v, string? text) => Date(v, "asOf", text);

    // An optional date parameter; a malformed one is a 400 naming the parameter.
    public static DateOnly? Date(Validation v, string field, string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && d.Year is >= 1949 and <= 2200)
            return d;
        v.Add(field, L.T("must be a date YYYY-MM-DD between 1949 and 2200"));
        return null;
    }

    public static DateTimeOffset? RecordedAsOf(Validation v, string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            && t.Year is >= 1949 and <= 2200)
            return t;
        v.Add("recordedAsOf", L.T("must be an RFC 3339 instant, e.g. 2026-01-31T08:00:00Z"));
        return null;
    }

    public static int Limit(Validation v, string? text)
    {
        if (string.IsNullOrEmpty(text)) return DefaultLimit;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit) return n;
        v.Add("limit", L.T("must be a whole number from 1 to {0}", MaxLimit));
        return DefaultLimit;
    }

    // Cursors are opaque to clients: base64url of a position the server understands.
    public static string EncodeCursor(string position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(position)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // The cursor of a list ordered by id: the last id of the previous page.
    public static Guid? IdCursor(Validation v, string? cursor)
    {
        if (DecodeCursor(v, cursor) is not { } position) return null;
        if (Guid.TryParse(position, out var id)) return id;
        v.Add("cursor", L.T("is not a cursor this registry issued"));
        return null;
    }

    public static string? DecodeCursor(Validation v, string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        try
        {
            var s = cursor.Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
            return Encoding.UTF8.GetString(Convert.FromBase64String(s));
        }
        catch (FormatException)
        {
            v.Add("cursor", L.T("is not a cursor this registry issued"));
            return null;
        }
    }
}

public record Page<T>(IReadOnlyList<T> Items, string? Next);
