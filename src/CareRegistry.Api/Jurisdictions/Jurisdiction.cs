using System.Security.Cryptography;
using System.Text;
using CareRegistry.Permits;

namespace CareRegistry.Jurisdictions;

// A jurisdiction (the nation "00", a province, a city or a district) and the regime events it has recorded.
// Its stream id is derived from its code, so the first regime event starts the stream.
public record Jurisdiction(Guid Id, string Code, IReadOnlyList<RegimeChanged> Regimes, long Version, IReadOnlyList<DemeritThresholdSet>? Thresholds = null,
    IReadOnlyList<ElderlyPopulationRecorded>? Population = null, IReadOnlyList<Designations.JurisdictionDesignated>? Designations = null)
{
    public static Jurisdiction Create(Designations.JurisdictionDesignated e) => new(StreamIdFor(e.Jurisdiction), e.Jurisdiction, [], 0, null, null, [e]);

    public Jurisdiction Apply(Designations.JurisdictionDesignated e) => this with { Designations = [.. Designations ?? [], e] };

    public static Jurisdiction Create(ElderlyPopulationRecorded e) => new(StreamIdFor(e.Jurisdiction), e.Jurisdiction, [], 0, null, [e]);

    public Jurisdiction Apply(ElderlyPopulationRecorded e) => this with { Population = [.. Population ?? [], e] };

    // The latest figure in force on the day (a later record for the same date replaces an earlier one).
    public ElderlyPopulationRecorded? PopulationOn(DateOnly day) =>
        (Population ?? []).Where(p => p.EffectiveOn <= day).OrderBy(p => p.EffectiveOn).LastOrDefault();

    public const int DefaultDemeritThreshold = 12;

    public static Jurisdiction Create(DemeritThresholdSet e) => new(StreamIdFor(e.Jurisdiction), e.Jurisdiction, [], 0, [e]);

    public Jurisdiction Apply(DemeritThresholdSet e) => this with { Thresholds = [.. Thresholds ?? [], e] };

    public DemeritThresholdSet? ThresholdInForce(DateOnly day) =>
        (Thresholds ?? []).Where(t => t.EffectiveOn <= day).OrderBy(t => t.EffectiveOn).LastOrDefault();

    public static Guid StreamIdFor(string code) =>
        new(MD5.HashData(Encoding.UTF8.GetBytes("careregistry:jurisdiction:" + code)));

    // The document's code in SQL (alias d), as Marten's index of Code is built (JurisdictionsConfiguration).
    public const string CodeSql = "(d.data ->> 'code')";

    // Levels in SQL, of a text expression naming a district: its rows are the codes, district first.
    public static string LevelsSql(string district) =>
        $"unnest(array[{district}, left({district}, 4), left({district}, 2), '00'])";

    public static Jurisdiction Create(RegimeChanged e) => new(StreamIdFor(e.Jurisdiction), e.Jurisdiction, [e], 0);

    public Jurisdiction Apply(RegimeChanged e) => this with { Regimes = [.. Regimes, e] };

    // The latest regime event of this level for the type in force on the day, if any.
    public RegimeChanged? InForce(PermitType type, DateOnly day) =>
        Regimes.Where(r => r.PermitType == type && r.EffectiveOn <= day).OrderBy(r => r.EffectiveOn).LastOrDefault();

    // The district itself, then its city, its province and the nation.
    public static IReadOnlyList<string> Levels(string district) =>
        new[] { district, district[..Math.Min(4, district.Length)], district[..2], "00" }.Distinct().ToList();
}

// Which regime applies to a submission: the nearest enclosing level with a regime event in force on the day wins;
// where none has one, the regime before any reform.
public sealed class RegimeBook(IEnumerable<Jurisdiction> levels)
{
    private readonly Dictionary<string, Jurisdiction> _byCode = levels.ToDictionary(j => j.Code);

    public static IReadOnlyList<Guid> StreamIdsFor(string district) => Jurisdiction.Levels(district).Select(Jurisdiction.StreamIdFor).ToList();

    // The nearest level's threshold in force on the day, else the default of 12.
    public (int Threshold, DemeritThresholdSet? Basis) DemeritThreshold(string district, DateOnly day)
    {
        foreach (var code in Jurisdiction.Levels(district))
            if (_byCode.TryGetValue(code, out var level) && level.ThresholdInForce(day) is { } set)
                return (set.Threshold, set);
        return (Jurisdiction.DefaultDemeritThreshold, null);
    }

    // Every regime change of the type at the district's levels, in date order.
    public IEnumerable<RegimeChanged> Changes(PermitType type, string district) =>
        Jurisdiction.Levels(district).SelectMany(code => _byCode.TryGetValue(code, out var level) ? level.Regimes : [])
            .Where(r => r.PermitType == type).OrderBy(r => r.EffectiveOn);

    // Whether this change decides the district's regime on its own date (no nearer level overrides it then).
    public bool Decides(RegimeChanged change, string district) => Resolve(change.PermitType, district, change.EffectiveOn).Basis == change;

    public (Regime Regime, RegimeChanged? Basis) Resolve(PermitType type, string district, DateOnly day)
    {
        foreach (var code in Jurisdiction.Levels(district))
            if (_byCode.TryGetValue(code, out var level) && level.InForce(type, day) is { } change)
                return (change.Regime, change);
        return (PermitTypes.RegimeBeforeAnyReform(type), null);
    }
}
