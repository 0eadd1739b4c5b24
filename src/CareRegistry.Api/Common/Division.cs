using CareRegistry.Localization;
using GbT2260 = CareRegistry.Divisions.Divisions;

namespace CareRegistry.Common;

// Administrative division codes (行政区划代码): 2 digits province, 4 city, 6 district; "00" is the nation. Shape first,
// then the GB/T 2260 table (Divisions/), so a well-formed code that names nothing (530199) is refused too.
public static class Division
{
    public static Text? DistrictProblem(string? code) =>
        string.IsNullOrWhiteSpace(code) ? L.T("is required")
        : code.Length != 6 || !code.All(char.IsAsciiDigit) ? L.T("must be a 6-digit administrative division code")
        : code[..2] == "00" ? L.T("must name a province (the first two digits cannot be 00)")
        : GbT2260.ProblemFor(code);

    // A query prefix: "00" or empty is the nation, else a 2, 4 or 6-digit division in the table.
    public static Text? PrefixProblem(string? prefix) =>
        string.IsNullOrEmpty(prefix) || prefix == "00" ? null
        : prefix.Length is 2 or 4 or 6 && prefix.All(char.IsAsciiDigit) ? GbT2260.ProblemFor(prefix)
        : L.T("must be 00 (nation) or a 2, 4 or 6-digit division code");

    public static string NormalizePrefix(string? prefix) => prefix is null or "00" ? "" : prefix;

    public static bool Covers(string prefix, string district) => district.StartsWith(NormalizePrefix(prefix), StringComparison.Ordinal);
}
