using CareRegistry.Common;
using CareRegistry.Localization;

namespace CareRegistry.Institutions;

// Where an institution is, in WGS-84 degrees (what GPS and 天地图's CGCS2000 agree with to within a metre; not the GCJ-02
// offsets of commercial Chinese maps). Approximate: a stand-in such as the district seat, for a place not yet surveyed.
public record Coordinates(double Lat, double Lon, bool Approximate = false)
{
    public override string ToString() =>
        FormattableString.Invariant($"{Lat:0.######}, {Lon:0.######}") + (Approximate ? " (approximate)" : "");
}

// As a command sends it: both numbers required, finite and in range; approximate optional (false when left out).
public record LocationInput(double? Lat, double? Lon, bool? Approximate = null)
{
    public Coordinates ToCoordinates() => new(Lat!.Value, Lon!.Value, Approximate ?? false);

    public static void Check(Validation v, string field, LocationInput? location)
    {
        if (location is null) return;
        if (location.Lat is not { } lat) v.Add($"{field}.lat", L.T("is required"));
        else if (!double.IsFinite(lat) || lat is < -90 or > 90) v.Add($"{field}.lat", L.T("must be a number from {0} to {1}", -90, 90));
        if (location.Lon is not { } lon) v.Add($"{field}.lon", L.T("is required"));
        else if (!double.IsFinite(lon) || lon is < -180 or > 180) v.Add($"{field}.lon", L.T("must be a number from {0} to {1}", -180, 180));
    }
}
