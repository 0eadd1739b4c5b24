using System.Text.Json.Nodes;

namespace CareRegistry.Bench;

public static class Stats
{
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public static (double P50, double P99) P50P99(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return (Percentile(sorted, 50), Percentile(sorted, 99));
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var s = values.Order().ToList();
        if (s.Count == 0) return double.NaN;
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    public static double R(double v, int digits = 2) => double.IsFinite(v) ? Math.Round(v, digits) : 0;

    // { median, min, max, values } of repeated trials.
    public static JsonObject Trials(IReadOnlyList<double> values, int digits = 2) => new()
    {
        ["median"] = R(Median(values), digits), ["min"] = R(values.Count == 0 ? double.NaN : values.Min(), digits),
        ["max"] = R(values.Count == 0 ? double.NaN : values.Max(), digits), ["values"] = new JsonArray(values.Select(v => (JsonNode)R(v, digits)).ToArray()),
    };
}
