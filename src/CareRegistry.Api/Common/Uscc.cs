using CareRegistry.Localization;

namespace CareRegistry.Common;

// The Unified Social Credit Code (统一社会信用代码, GB 32100-2015): 18 characters over a 31-character alphabet
// (no I, O, S, V, Z); the last is a check character over the first 17, weighted 3^i mod 31.
public static class Uscc
{
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    public static string Normalize(string code) => code.Trim().ToUpperInvariant();

    public static Text? Problem(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return L.T("is required");
        var c = Normalize(code);
        if (c.Length != 18) return L.T("must be 18 characters");
        for (var i = 0; i < 18; i++)
            if (Alphabet.IndexOf(c[i]) < 0) return L.T("character {0} ('{1}') is not in the USCC alphabet", i + 1, c[i]);
        var expected = CheckCharacter(c[..17]);
        return c[17] == expected ? null : L.T("check character should be '{0}', not '{1}'", expected, c[17]);
    }

    public static char CheckCharacter(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += Alphabet.IndexOf(first17[i]) * Weights[i];
        return Alphabet[(31 - sum % 31) % 31];
    }

    // Characters 3 to 8 are the division of the registering authority. An institution may be registered elsewhere than
    // it operates (a chain's head office), so a code from another province is worth a warning, not a refusal.
    public static string? DivisionWarning(string code, string jurisdiction)
    {
        var division = Normalize(code).Substring(2, 6);
        return division.All(char.IsAsciiDigit) && division[..2] != jurisdiction[..2]
            ? L.T("the USCC was issued by an authority in division {0}, another province than jurisdiction {1}; check that both are right", division, jurisdiction).Render()
            : null;
    }
}
