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
        // The forms' and the map's words (Resources/Forms.resx, Forms.en.resx), kept apart from the read pages' file.
        private readonly IStringLocalizer _forms;

        // Console/Resources/Text.resx (Chinese, the default) and Text.en.resx (English), by their manifest name, so the
        // localization options the API may set (ResourcesPath) cannot move them.
        private const string BaseName = "CareRegistry.Console.Resources.Text";

        private const string FormsBaseName = "CareRegistry.Console.Resources.Forms";

        public ConsoleText(ILoggerFactory loggers)
        {
            var assembly = typeof(ConsoleText).Assembly;
            _text = new ResourceManagerStringLocalizer(new System.Resources.ResourceManager(BaseName, assembly), assembly, BaseName,
                new ResourceNamesCache(), loggers.CreateLogger<ResourceManagerStringLocalizer>());
            _forms = new ResourceManagerStringLocalizer(new System.Resources.ResourceManager(FormsBaseName, assembly), assembly, FormsBaseName,
                new ResourceNamesCache(), loggers.CreateLogger<ResourceManagerStringLocalizer>());
        }

        private IStringLocalizer For(string key) => _text[key].ResourceNotFound && !_forms[key].ResourceNotFound ? _forms : _text;

        public string this[string key] => For(key)[key].Value;

        public string this[string key, params object[] args] => For(key)[key, args].Value;

        public bool Has(string key) => !_text[key].ResourceNotFound || !_forms[key].ResourceNotFound;

        // A wire value in words: Enum("permit-type", "elderly-care") → 养老机构备案/许可.
        public string Enum(string group, string? value)
        {
            if (string.IsNullOrEmpty(value)) return "";
            var found = For($"{group}.{value}")[$"{group}.{value}"];
            return found.ResourceNotFound ? value : found.Value;
        }

        public static bool IsChinese => CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.Ordinal);

        public static string Lang => IsChinese ? "zh-CN" : "en";
    }
}
