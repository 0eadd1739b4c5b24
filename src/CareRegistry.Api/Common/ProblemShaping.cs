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
        if (problem.Status == StatusCodes.Status400BadRequest && problem.Title == "Invalid JSON format")
            context.HttpContext.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("CareRegistry.ClientErrors")
                .LogInformation("unreadable command body on {Method} {Path}: {Detail}", context.HttpContext.Request.Method,
                    context.HttpContext.Request.Path, problem.Detail);
        if (problem.Status != StatusCodes.Status400BadRequest || problem.Detail is not { } detail || problem.Extensions.ContainsKey("errors")) return;
        var match = PathInDetail().Match(detail);
        var isTypeMismatch = detail.StartsWith("The JSON value could not be converted", StringComparison.Ordinal);
        if (!match.Success || !isTypeMismatch)
        {
            if (problem.Title == "Invalid JSON format") problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [detail] };
            return;
        }
        var path = match.Groups["path"].Value;
        var field = path.TrimStart('$', '.');
        var requestType = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var message = Expected(FieldType(requestType, field)) ?? "has a value that cannot be read here";
        problem.Detail = $"{(field.Length == 0 ? "The body" : field)} {message}.";
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

    private static string? Expected(Type? type) => type switch
    {
        null => null,
        { IsEnum: true } => "must be one of " + string.Join(", ", Enum.GetValues(type).Cast<Enum>()
            .Select(e => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(e.ToString()))),
        _ when type == typeof(DateOnly) => "must be a date YYYY-MM-DD",
        _ when type == typeof(DateTimeOffset) => "must be an RFC 3339 instant",
        _ when type == typeof(Guid) => "must be a UUID",
        _ when type == typeof(int) || type == typeof(long) => "must be a whole number",
        _ when type == typeof(decimal) || type == typeof(double) => "must be a number",
        _ when type == typeof(string) => "must be a string",
        _ when type == typeof(bool) => "must be true or false",
        _ when type.IsArray || (type.IsGenericType && type.GetInterfaces().Any(i => i.Name == "IEnumerable`1")) => "must be an array",
        _ => "must be an object",
    };

    [GeneratedRegex(@"Path: (?<path>\S*)", RegexOptions.Singleline)]
    private static partial Regex PathInDetail();
}
