using System.Globalization;
using Microsoft.Extensions.Localization;

namespace CareRegistry.WebConsole
{
    // Every word the console shows, from the resource files, in the request's UI culture. Wire values (permit types,
    // statuses, event types...) are looked up as "<group>.<value>"; a value without a resource shows as sent, so a new
    // API value is never hidden (a test checks that every current one has its entry).
    public sealed class ConsoleText
    {
        private readonly IStringLocalizer _text;

        // Console/Resources/Text.resx (Chinese, the default) and Text.en.resx (English), by their manifest name, so the
        // localization options the API may set (ResourcesPath) cannot move them.
        private const string BaseName = "CareRegistry.Console.Resources.Text";

        public ConsoleText(ILoggerFactory loggers)
        {
            var assembly = typeof(ConsoleText).Assembly;
            _text = new ResourceManagerStringLocalizer(new System.Resources.ResourceManager(BaseName, assembly), assembly, BaseName,
                new ResourceNamesCache(), loggers.CreateLogger<ResourceManagerStringLocalizer>());
        }

        public string this[string key] => _text[key].Value;

        public string this[string key, params object[] args] => _text[key, args].Value;

        public bool Has(string key) => !_text[key].ResourceNotFound;

        // A wire value in words: Enum("permit-type", "elderly-care") → 养老机构备案/许可.
        public string Enum(string group, string? value)
        {
            if (string.IsNullOrEmpty(value)) return "";
            var found = _text[$"{group}.{value}"];
            return found.ResourceNotFound ? value : found.Value;
        }

        public static bool IsChinese => CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.Ordinal);

        public static string Lang => IsChinese ? "zh-CN" : "en";
    }
}
