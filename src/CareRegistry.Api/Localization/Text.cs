using System.Globalization;
using System.Resources;

namespace CareRegistry.Localization;

// A message of the registry: its English template, which is also its key in Messages.zh-CN.resx (the way
// IStringLocalizer treats a missing key), and the values for its placeholders. It is rendered in the request's
// culture, set by UseRegistryLocalization; a value that is itself a Text is rendered in the same culture.
// Every message reaches a problem through L.T with a literal template: Validation, Problems and AccessGate take a Text, never a
// string, and LocalizationTests reads every L.T literal in the source and requires its zh-CN entry.
public readonly struct Text(string template, object?[] args)
{
    public string Template { get; } = template;

    public object?[] Args { get; } = args;

    public string Render() => Render(CultureInfo.CurrentUICulture);

    public string Render(CultureInfo culture)
    {
        var template = Messages.Template(Template, culture);
        if (Args.Length == 0) return template;
        var values = Args.Select(a => a is Text t ? t.Render(culture) : a).ToArray();
        // Dates, numbers and codes in messages are written the same way in both languages (2026-01-31, 100000).
        return string.Format(CultureInfo.InvariantCulture, template, values);
    }

    public override string ToString() => Render();
}

public static class L
{
    // The template is a string literal (LocalizationTests reads it from the source); values go in args, never interpolated.
    public static Text T(string template, params object?[] args) => new(template, args);
}

// The catalogue: Messages.resx (neutral, English: empty, since the key is the English text) and Messages.zh-CN.resx.
// The marker type also lets IStringLocalizer<Messages> read the same files.
public sealed class Messages
{
    private static readonly ResourceManager Resources = new(typeof(Messages));

    public static string Template(string key, CultureInfo culture) =>
        culture.TwoLetterISOLanguageName == "en" ? key : Resources.GetString(key, culture) ?? key;

    // The zh-CN entries, for the tests that hold the catalogue complete.
    public static IReadOnlyDictionary<string, string> Entries(CultureInfo culture) =>
        Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)?.Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string)e.Value!) ?? new Dictionary<string, string>();
}
