namespace CareRegistry.Common;

// Administrative division codes (行政区划代码): 2 digits province, 4 city, 6 district; "00" is the nation.
public static class Division
{
    public static string? DistrictProblem(string? code) =>
        string.IsNullOrWhiteSpace(code) ? "is required"
        : code.Length != 6 || !code.All(char.IsAsciiDigit) ? "must be a 6-digit administrative division code"
        : code[..2] == "00" ? "must name a province (the first two digits cannot be 00)"
        : null;

    // A query prefix: "00" or empty is the nation, else 2, 4 or 6 digits.
    public static string? PrefixProblem(string? prefix) =>
        string.IsNullOrEmpty(prefix) || prefix == "00" ? null
        : prefix.Length is 2 or 4 or 6 && prefix.All(char.IsAsciiDigit) ? null
        : "must be 00 (nation) or a 2, 4 or 6-digit division code";

    public static string NormalizePrefix(string? prefix) => prefix is null or "00" ? "" : prefix;

    public static bool Covers(string prefix, string district) => district.StartsWith(NormalizePrefix(prefix), StringComparison.Ordinal);
}
