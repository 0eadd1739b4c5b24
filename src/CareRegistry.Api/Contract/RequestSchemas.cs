using System.Reflection;
using System.Text.RegularExpressions;
using CareRegistry.Audit;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace CareRegistry.Contract;

// Every command field is nullable in C# so that a missing field is answered by the command's own Validate (400
// naming it) rather than by the deserializer. What the document says is required, and how long a text may be, is
// read from that same Validate: an empty command is refused on exactly the required fields, and one whose texts are
// all too long names each limit. Ranges and patterns that Validate states in prose are listed here.
public static partial class RequestSchemas
{
    public static bool IsCommand(Type type) => type == typeof(BedsInput) || type == typeof(LocationInput) || ValidateOf(type) is not null;

    public static void Describe(Type type, OpenApiSchema schema)
    {
        if (schema.Properties is null) return;
        var required = ErrorsOf(type, _ => null).Keys.Where(schema.Properties.ContainsKey).ToList();
        schema.Required = new HashSet<string>(required);
        foreach (var name in required) NotNull(schema.Properties, name);

        var tooLong = new string('x', 10_000);
        foreach (var (field, messages) in ErrorsOf(type, p => p.ParameterType == typeof(string) ? tooLong : null))
            if (schema.Properties.TryGetValue(field, out var p) && p is OpenApiSchema property)
                foreach (var m in messages.Select(m => MaxLength().Match(m)).Where(m => m.Success))
                {
                    property.MaxLength = int.Parse(m.Groups[1].Value);
                    if (required.Contains(field)) property.MinLength = 1;
                }

        // A location, when sent, has both coordinates (LocationInput.Check).
        if (type == typeof(LocationInput))
        {
            schema.Required = new HashSet<string>(["lat", "lon"]);
            NotNull(schema.Properties, "lat");
            NotNull(schema.Properties, "lon");
        }

        foreach (var ((owner, field), limit) in Limits)
            if (owner == type && schema.Properties.TryGetValue(field, out var p) && p is OpenApiSchema property) limit(property);
    }

    private static readonly Dictionary<(Type, string), Action<OpenApiSchema>> Limits = new()
    {
        [(typeof(RegisterInstitution), "uscc")] = s => { s.Pattern = Parameters.UsccPattern; s.Description = "统一社会信用代码 (GB 32100): 18 characters with a valid check character; lower case is accepted."; },
        [(typeof(RegisterInstitution), "jurisdiction")] = s => { s.Pattern = Parameters.DistrictPattern; s.Description = "The district (6-digit GB/T 2260 code) the institution is in."; },
        [(typeof(RegisterInstitution), "grade")] = s => Range(s, 1, 3, "Hospitals only: grade 1, 2 or 3."),
        [(typeof(RecordFinding), "demeritPoints")] = s => Range(s, 0, RecordFinding.MaxPoints),
        [(typeof(DecideDispute), "demeritPoints")] = s => Range(s, 0, RecordFinding.MaxPoints, "Only with points-changed: the points in force from now on."),
        [(typeof(SetDemeritThreshold), "threshold")] = s => Range(s, 1, 120),
        [(typeof(RecordPopulation), "aged60")] = s => Range(s, 0, 500_000_000),
        [(typeof(RecordPopulation), "aged65")] = s => Range(s, 0, 500_000_000, "At most aged60."),
        [(typeof(RecordPopulation), "aged80")] = s => Range(s, 0, 500_000_000, "At most aged65 (or aged60)."),
        [(typeof(RecordPopulation), "total")] = s => Range(s, 0, 2_000_000_000, "The total registered population (户籍人口总数); at least aged60."),
        [(typeof(RecordEnforcement), "amount")] = s => { s.ExclusiveMinimum = "0"; s.Maximum = "100000000"; s.Description = "A fine's amount in yuan; only for a fine."; },
        [(typeof(RecordEnforcement), "permitId")] = s => s.Description = "Required for a permit suspension or revocation, refused otherwise.",
        [(typeof(RetractEntry), "version")] = s => Range(s, 1, null, "The stream version of the entry to retract."),
        [(typeof(OpenInspection), "institutionIds")] = s => Items(s, 1, 100, unique: true),
        [(typeof(OpenInspection), "departments")] = s => Items(s, 1, 3, unique: true, "A joint inspection names two or more."),
        [(typeof(OpenInspection), "inspectors")] = s => Items(s, 1, 50),
        [(typeof(SignPartnership), "partyIds")] = s => Items(s, 2, 2, unique: true, "care-medical: one care institution and one medical; referral and consortium: two medical."),
        [(typeof(SignPartnership), "services")] = s => Items(s, 1, null, unique: true),
        [(typeof(LocationInput), "lat")] = s => Range(s, -90, 90, "Latitude, WGS-84 degrees."),
        [(typeof(LocationInput), "lon")] = s => Range(s, -180, 180, "Longitude, WGS-84 degrees."),
        [(typeof(LocationInput), "approximate")] = s => s.Description = "True when the place stands in for an unknown exact one (e.g. the district seat); false when left out.",
        [(typeof(BedsInput), "elderlyCare")] = Beds,
        [(typeof(BedsInput), "medical")] = Beds,
        [(typeof(BedsInput), "nursing")] = Beds,
        [(typeof(BedsInput), "rehabilitation")] = Beds,
        [(typeof(BedsInput), "hospice")] = Beds,
    };

    private static void Beds(OpenApiSchema s) => Range(s, 0, BedsInput.MaxPerPurpose);

    private static void Range(OpenApiSchema s, long minimum, long? maximum, string? description = null)
    {
        s.Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        s.Maximum = maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (description is not null) s.Description = description;
    }

    private static void Items(OpenApiSchema s, int min, int? max, bool unique = false, string? description = null)
    {
        s.MinItems = min;
        s.MaxItems = max;
        if (unique) s.UniqueItems = true;
        if (description is not null) s.Description = description;
    }

    // A field that Validate requires does not accept null either.
    private static void NotNull(IDictionary<string, IOpenApiSchema> properties, string name)
    {
        if (properties[name] is not OpenApiSchema property) return;
        if (property.Type is { } t && t.HasFlag(JsonSchemaType.Null)) property.Type = t & ~JsonSchemaType.Null;
        else if (property.OneOf is { Count: 2 } oneOf && oneOf.FirstOrDefault(o => o is OpenApiSchema { Type: JsonSchemaType.Null }) is { } none)
            properties[name] = oneOf.Single(o => !ReferenceEquals(o, none));
    }

    // The generator loses the items of an enum array (the converter is ours): they are the enum, as a component.
    public static void EnumArrays(Type type, OpenApiSchema schema, OpenApiDocument document)
    {
        foreach (var property in type.GetProperties())
        {
            var name = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var element = property.PropertyType.IsArray ? property.PropertyType.GetElementType()
                : property.PropertyType.IsGenericType ? property.PropertyType.GetGenericArguments()[0] : null;
            if (element is not { IsEnum: true } || schema.Properties is null || !schema.Properties.TryGetValue(name, out var found)
                || found is not OpenApiSchema { Items: null } array) continue;
            document.Components!.Schemas!.TryAdd(element.Name, Parameters.OneOf(WireEnums.Values(element)));
            array.Items = new OpenApiSchemaReference(element.Name, document);
        }
    }

    private static MethodInfo? ValidateOf(Type type) =>
        type.Namespace?.StartsWith("CareRegistry.", StringComparison.Ordinal) == true
            ? type.GetMethods(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(m => m.Name == "Validate" && m.ReturnType == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))
            : null;

    // The field errors Validate answers for a command built from the primary constructor, each argument given by fill
    // (null: absent). A division code argument gets the nation, so only the body's fields are judged.
    private static IReadOnlyDictionary<string, string[]> ErrorsOf(Type type, Func<ParameterInfo, object?> fill)
    {
        if (ValidateOf(type) is not { } validate) return new Dictionary<string, string[]>();
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var command = constructor.Invoke(constructor.GetParameters().Select(p => fill(p) ?? (p.HasDefaultValue ? p.DefaultValue : null)).ToArray());
        var arguments = validate.GetParameters().Select(p => p.ParameterType == typeof(string) ? "00" : p.HasDefaultValue ? p.DefaultValue : null).ToArray();
        // The messages are read in English (MaxLength below), whatever language the document was asked for in.
        var asked = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = Localization.RegistryLocalization.English;
        try
        {
            return validate.Invoke(command, arguments) is HttpValidationProblemDetails problem ? problem.Errors.AsReadOnly() : new Dictionary<string, string[]>();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = asked;
        }
    }

    [GeneratedRegex("^must be at most ([0-9]+) characters$")]
    private static partial Regex MaxLength();
}
