using CareRegistry.Localization;
using System.Collections.Frozen;
using System.Globalization;

namespace CareRegistry.Divisions;

public enum DivisionLevel { Nation, Province, City, District }

public sealed record DivisionInfo(string Code, string Name, string Pinyin, DivisionLevel Level, string? Parent, DateOnly? ValidFrom, DateOnly? ValidTo);

// The administrative divisions of GB/T 2260 as the registry writes them: "00" the nation, "53" a province, "5301" a
// city, "530111" a district. Read once, on first use, from the two tables embedded in the assembly (data/README.md
// says where they come from); codes since abolished are kept with the day they ended.
public static class Divisions
{
    private sealed record Table(
        FrozenDictionary<string, DivisionInfo> ByCode,
        FrozenDictionary<string, DivisionInfo[]> Children,
        FrozenDictionary<string, string[]> Successors);

    private static readonly Lazy<Table> Data = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static DivisionInfo? Find(string? code) => code is null ? null : Data.Value.ByCode.GetValueOrDefault(code);

    public static bool Exists(string? code) => Find(code) is not null;

    // Null when the code names a division, else why not, worded to follow a field name ("jurisdiction ...").
    public static Text? ProblemFor(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return L.T("is required");
        if (code.Length is not (2 or 4 or 6) || !code.All(char.IsAsciiDigit)) return L.T("must be 00 (the nation) or a 2, 4 or 6-digit division code");
        if (Exists(code)) return null;

        // The table's own 6-digit forms of provinces and cities (530000, 530100) are a common slip.
        if (code.Length == 6 && code.EndsWith("0000", StringComparison.Ordinal) && Find(code[..2]) is { } province)
            return L.T("is not a division in GB/T 2260 as the registry writes it: {0} is {1}", province.Name, province.Code);
        if (code.Length == 6 && code.EndsWith("00", StringComparison.Ordinal) && Find(code[..4]) is { } city)
            return L.T("is not a division in GB/T 2260 as the registry writes it: {0} is {1}", city.Name, city.Code);

        var level = code.Length switch { 2 => L.T("province"), 4 => L.T("city"), _ => L.T("district") };
        var parent = code.Length == 2 ? null : Find(code[..^2]);
        return parent is null
            ? L.T("is not a division in GB/T 2260 (there is no {0} {1})", level, code)
            : L.T("is not a division in GB/T 2260 ({0} {1} has no {2} {3})", parent.Name, parent.Code, level, code);
    }

    // From the province down to the division itself; empty for the nation.
    public static IReadOnlyList<DivisionInfo> Path(string code)
    {
        var path = new List<DivisionInfo>();
        for (var d = Find(code); d is not null && d.Level != DivisionLevel.Nation; d = Find(d.Parent)) path.Insert(0, d);
        return path;
    }

    public static IReadOnlyList<DivisionInfo> ChildrenOf(string code) => Data.Value.Children.GetValueOrDefault(code) ?? [];

    // The codes that took over an abolished or merged one.
    public static IReadOnlyList<string> ReplacedBy(string code) => Data.Value.Successors.GetValueOrDefault(code) ?? [];

    internal static IEnumerable<DivisionInfo> All => Data.Value.ByCode.Values;

    private static Table Load()
    {
        var byCode = new Dictionary<string, DivisionInfo>(StringComparer.Ordinal);
        var successors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        // changes.tsv comes second: its rows replace the base table's.
        foreach (var file in new[] { "divisions.tsv", "changes.tsv" })
        foreach (var f in Rows(file))
        {
            var info = new DivisionInfo(f[0], f[1], f[2], Level(f[3], file), f[4].Length == 0 ? null : f[4], Date(f[5]), Date(f[6]));
            byCode[info.Code] = info;
            if (f.Length > 7 && f[7].Length > 0) successors[info.Code] = f[7].Split(',');
        }

        foreach (var d in byCode.Values)
            if (d.Parent is { } p && !byCode.ContainsKey(p)) throw new InvalidDataException($"division {d.Code} names a parent {p} that is not in the table");

        var children = byCode.Values.Where(d => d.Parent is not null).GroupBy(d => d.Parent!)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(d => d.Code, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        return new Table(byCode.ToFrozenDictionary(StringComparer.Ordinal), children, successors.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static IEnumerable<string[]> Rows(string file)
    {
        using var stream = typeof(Divisions).Assembly.GetManifestResourceStream($"CareRegistry.Divisions.{file}")
            ?? throw new InvalidOperationException($"the embedded division table {file} is missing from the assembly");
        using var reader = new StreamReader(stream);
        var header = true;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (header) { header = false; continue; }
            yield return line.Split('\t');
        }
    }

    private static DivisionLevel Level(string text, string file) => text switch
    {
        "nation" => DivisionLevel.Nation,
        "province" => DivisionLevel.Province,
        "city" => DivisionLevel.City,
        "district" => DivisionLevel.District,
        _ => throw new InvalidDataException($"{file}: unknown division level '{text}'"),
    };

    private static DateOnly? Date(string text) =>
        text.Length == 0 ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
