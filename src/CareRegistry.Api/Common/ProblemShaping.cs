using CareRegistry.Localization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace CareRegistry.Common;

public static partial class ProblemShaping
{
    // A body that does not deserialize is answered by Wolverine as "Invalid JSON format" with the JSON path in the
    // detail; clients get the same errors{field:[...]} shape as for any other invalid input, with a message drawn
    // from the type the field should have.
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        // Every problem says which language it is written in; the registry's own are rendered in it already, and the
        // few titles the framework writes (Wolverine's, the status code pages') are put into it here.
        context.HttpContext.Response.Headers.ContentLanguage = RegistryLocalization.LanguageOf(System.Globalization.CultureInfo.CurrentUICulture);
        var framework = problem.Title;
        problem.Title = FrameworkTitle(problem.Title);
        // Wolverine's answer for a route whose aggregate does not exist: "Unknown Institution with identity <id>".
        if ((problem.Status ?? context.HttpContext.Response.StatusCode) == StatusCodes.Status404NotFound && problem.Detail is { } missing && UnknownEntity().Match(missing) is { Success: true } unknown
            && System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "zh")
            problem.Detail = L.T("Unknown {0} with identity {1}", unknown.Groups["type"].Value switch
            {
                "Institution" => L.T("Institution"),
                "Inspection" => L.T("Inspection"),
                "Partnership" => L.T("Partnership"),
                "Permit" => L.T("Permit"),
                "Jurisdiction" => L.T("Jurisdiction"),
                var other => L.T("{0}", other),
            }, unknown.Groups["id"].Value).Render();
        if (problem.Status == StatusCodes.Status400BadRequest && framework == "Invalid JSON format")
            context.HttpContext.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("CareRegistry.ClientErrors")
                .LogInformation("unreadable command body on {Method} {Path}: {Detail}", context.HttpContext.Request.Method,
                    context.HttpContext.Request.Path, problem.Detail);
        if (problem.Status != StatusCodes.Status400BadRequest || problem.Detail is not { } detail || problem.Extensions.ContainsKey("errors")) return;
        var match = PathInDetail().Match(detail);
        var isTypeMismatch = detail.StartsWith("The JSON value could not be converted", StringComparison.Ordinal);
        if (!match.Success || !isTypeMismatch)
        {
            if (framework == "Invalid JSON format") problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [detail] };
            return;
        }
        var path = match.Groups["path"].Value;
        var field = path.TrimStart('$', '.');
        var requestType = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var message = (Expected(FieldType(requestType, field)) ?? L.T("has a value that cannot be read here")).Render();
        problem.Detail = field.Length == 0 ? L.T("The body {0}.", message).Render() : L.T("{0} {1}.", field, message).Render();
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field.Length == 0 ? "body" : field] = [message] };
    }

    // The logging categories Wolverine uses for a command that cannot be read: the command records of this assembly.
    private static readonly HashSet<string> CommandCategories = typeof(ProblemShaping).Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith("CareRegistry.", StringComparison.Ordinal) == true && t.GetMethod("<Clone>$") is not null)
        .Select(t => t.FullName!).ToHashSet();

    public static bool IsCommandCategory(string? category) => category is not null && CommandCategories.Contains(category);

    public static IReadOnlyCollection<string> CommandCategoryNames => CommandCategories;

    private static Type? FieldType(Type? type, string path)
    {
        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (type is null) return null;
            var name = segment.Split('[')[0];
            var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            type = property?.PropertyType;
            if (type is not null && segment.Contains('[')) type = type.IsArray ? type.GetElementType() : type.GetGenericArguments().FirstOrDefault();
        }
        return type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
    }

    private static Text? Expected(Type? type) => type switch
    {
        null => null,
        { IsEnum: true } => L.T("must be one of {0}", string.Join(", ", Enum.GetValues(type).Cast<Enum>()
            .Select(e => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(e.ToString())))),
        _ when type == typeof(DateOnly) => L.T("must be a date YYYY-MM-DD"),
        _ when type == typeof(DateTimeOffset) => L.T("must be an RFC 3339 instant"),
        _ when type == typeof(Guid) => L.T("must be a UUID"),
        _ when type == typeof(int) || type == typeof(long) => L.T("must be a whole number"),
        _ when type == typeof(decimal) || type == typeof(double) => L.T("must be a number"),
        _ when type == typeof(string) => L.T("must be a string"),
        _ when type == typeof(bool) => L.T("must be true or false"),
        _ when type.IsArray || (type.IsGenericType && type.GetInterfaces().Any(i => i.Name == "IEnumerable`1")) => L.T("must be an array"),
        _ => L.T("must be an object"),
    };

    // The titles ASP.NET Core and Wolverine write themselves (status code pages, OnMissing, unreadable JSON).
    // English keeps the framework's own words; the catalogue's keys are the registry's wording of the same titles.
    private static string? FrameworkTitle(string? title) => System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName != "zh" ? title : title switch
    {
        "Invalid JSON format" => L.T("Invalid JSON format").Render(),
        "Bad Request" => L.T("Bad Request").Render(),
        "Unauthorized" => L.T("Unauthorized").Render(),
        "Forbidden" => L.T("Forbidden").Render(),
        "Not Found" => L.T("Not found").Render(),
        "Method Not Allowed" => L.T("Method Not Allowed").Render(),
        "Not Acceptable" => L.T("Not Acceptable").Render(),
        "Conflict" => L.T("Conflict").Render(),
        "Precondition Failed" => L.T("Precondition Failed").Render(),
        "Payload Too Large" or "Content Too Large" => L.T("Content Too Large").Render(),
        "Unsupported Media Type" => L.T("Unsupported media type").Render(),
        "Unprocessable Entity" or "Unprocessable Content" => L.T("Unprocessable Content").Render(),
        "Too Many Requests" => L.T("Too many requests").Render(),
        "An error occurred while processing your request." => L.T("An error occurred while processing your request.").Render(),
        "Service Unavailable" => L.T("Service Unavailable").Render(),
        _ => title,
    };

    [GeneratedRegex(@"^Unknown (?<type>\w+) with identity (?<id>.+)$")]
    private static partial Regex UnknownEntity();

    [GeneratedRegex(@"Path: (?<path>\S*)", RegexOptions.Singleline)]
    private static partial Regex PathInDetail();
}
