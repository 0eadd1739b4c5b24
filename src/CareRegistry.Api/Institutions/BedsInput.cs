using CareRegistry.Localization;
using CareRegistry.Common;

namespace CareRegistry.Institutions;

public record BedsInput(int ElderlyCare = 0, int Medical = 0, int Nursing = 0, int Rehabilitation = 0, int Hospice = 0)
{
    public const int MaxPerPurpose = 100_000;

    public Beds ToBeds() => new(ElderlyCare, Medical, Nursing, Rehabilitation, Hospice);

    public static void Check(Validation v, string field, BedsInput? beds)
    {
        if (beds is null) { v.Add(field, L.T("is required")); return; }
        foreach (var (name, value) in new[]
                 {
                     ("elderlyCare", beds.ElderlyCare), ("medical", beds.Medical), ("nursing", beds.Nursing),
                     ("rehabilitation", beds.Rehabilitation), ("hospice", beds.Hospice),
                 })
        {
            if (value < 0) v.Add($"{field}.{name}", L.T("must not be negative"));
            else if (value > MaxPerPurpose) v.Add($"{field}.{name}", L.T("must be at most {0}", MaxPerPurpose));
        }
    }
}
