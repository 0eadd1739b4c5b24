using System.Globalization;
using System.Text.Json.Nodes;
using CareRegistry.Common;
using CareRegistry.Permits;
using Microsoft.OpenApi;

namespace CareRegistry.Contract;

// The reads take their query parameters as strings and parse them by hand, so that a bad value is a 400 naming the
// parameter (Common/ReadParameters.cs). The document states what those parsers accept: by parameter name, with the
// few names whose meaning depends on the route overridden by route.
public static class Parameters
{
    public const string DivisionPrefixPattern = "^([0-9]{2}|[0-9]{4}|[0-9]{6})$";
    public const string DistrictPattern = "^(0[1-9]|[1-9][0-9])[0-9]{4}$";
    public const string UsccPattern = "^[0-9A-HJ-NP-RTUW-Y]{18}$";

    public static OpenApiSchema Text(int? maxLength = null) => new() { Type = JsonSchemaType.String, MinLength = 1, MaxLength = maxLength };
    public static OpenApiSchema Date() => new() { Type = JsonSchemaType.String, Format = "date" };
    public static OpenApiSchema Instant() => new() { Type = JsonSchemaType.String, Format = "date-time" };
    public static OpenApiSchema Uuid() => new() { Type = JsonSchemaType.String, Format = "uuid" };
    public static OpenApiSchema Flag() => new() { Type = JsonSchemaType.Boolean };
    public static OpenApiSchema Pattern(string pattern) => new() { Type = JsonSchemaType.String, Pattern = pattern };

    public static OpenApiSchema Whole(long minimum, long? maximum = null, long? @default = null, string format = "int32") => new()
    {
        Type = JsonSchemaType.Integer, Format = format, Minimum = minimum.ToString(CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(CultureInfo.InvariantCulture), Default = @default is { } d ? JsonValue.Create(d) : null,
    };

    public static OpenApiSchema OneOf(IEnumerable<string> values) => new()
    {
        Type = JsonSchemaType.String, Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
    };

    public static OpenApiSchema OneOf<TEnum>() where TEnum : struct, Enum => OneOf(WireEnums.Values(typeof(TEnum)));

    private const string Prefix = "A division prefix of GB/T 2260: 00 the nation, 53 a province, 5301 a city, 530111 a district.";

    private static readonly Dictionary<string, (Func<OpenApiSchema> Schema, string Description)> ByName = new()
    {
        ["q"] = (() => Text(200), "A substring of the Chinese or Latin name, or of the USCC."),
        ["jurisdiction"] = (() => Pattern(DivisionPrefixPattern), Prefix + " Lists default to the caller's own jurisdiction; a prefix outside it is refused (403)."),
        ["kind"] = (OneOf<InstitutionKind>, "The kind of institution."),
        ["service"] = (OneOf<Institutions.CareService>, "Offering this service on asOf (day care, dementia care, hospice, rehabilitation, home visits, home sickbeds)."),
        ["designation"] = (OneOf<Designations.Programme>, "Designated to this programme on asOf (an integrated-care pilot permit counts as an integrated-care-pilot designation)."),
        ["careInstitution"] = (Flag, "Whether it counts as an elderly-care institution (养老机构) in the monitoring table on asOf: not a medical institution, an elderly-care permit or filing in force."),
        ["integrated"] = (Flag, "Whether an elderly-care permit and a medical licence or internal clinic are in force together on asOf."),
        ["permitType"] = (OneOf<PermitType>, "Institutions holding a permit of this type on asOf."),
        ["permitStatus"] = (OneOf<PermitStatus>, "With permitType: the permit's status on asOf."),
        ["hasPartnership"] = (Flag, "Whether an agreement with another institution is active on asOf."),
        ["department"] = (OneOf<Department>, "Institutions holding a permit that this department issues."),
        ["demeritAtLeast"] = (() => Whole(1, 1000), "Institutions with at least these demerit points over the 12 months up to asOf."),
        ["careHomeGradeAtLeast"] = (() => Whole(1, 5), "Care homes rated at least this grade (养老机构等级, 1–5) on asOf."),
        ["hospitalGrade"] = (() => Pattern("^[1-3][abc]?$"), "Hospitals rated this grade on asOf: 1, 2 or 3, optionally with its class a, b or c (3a is 三级甲等)."),
        ["residentsAtLeast"] = (() => Whole(0, 100_000), "Institutions whose latest occupancy report by asOf counts at least this many residents."),
        ["doctorsAtLeast"] = (() => Whole(0, 100_000), "Institutions whose latest staff report by asOf counts at least this many doctors."),
        ["nursesAtLeast"] = (() => Whole(0, 100_000), "Institutions whose latest staff report by asOf counts at least this many nurses."),
        ["asOf"] = (Date, "The day the answer is about (YYYY-MM-DD, 1949–2200); today in China (UTC+8) when absent."),
        ["recordedAsOf"] = (Instant, "Answer from what was recorded by this instant (RFC 3339); everything recorded when absent."),
        ["cursor"] = (() => Text(), "Where the previous page ended: its next value, opaque."),
        ["limit"] = (() => Whole(1, ReadParameters.MaxLimit, ReadParameters.DefaultLimit), "The page size."),
        ["institutionId"] = (Uuid, "Only those that concern this institution."),
        ["activeOn"] = (Date, "Only agreements valid on this day."),
        ["from"] = (Date, "Opened on or after this day."),
        ["to"] = (Date, "Opened on or before this day."),
        ["parent"] = (() => Pattern("^(00|[0-9]{2}|[0-9]{4})$"), "The division whose children are listed; the provinces when absent (00)."),
        ["upTo"] = (() => Whole(0, format: "int64"), "The last sequence number the digest covers; every event when absent."),
        ["after"] = (() => Whole(0, @default: 0, format: "int64"), "The sequence number to continue after: the next of the previous page."),
        ["includePredecessors"] = (Flag, "Continue into the predecessor institutions' histories (oldest first)."),
        ["order"] = (() => OneOf(["effective", "recorded"]), "effective: by the date each fact took effect (default); recorded: by the moment it was recorded."),
        ["include"] = (() => OneOf(["ids"]), "ids: list the institutions behind each count."),
        ["format"] = (() => OneOf(["json", "csv", "xlsx"]), "json (default), csv (UTF-8 with a byte-order mark, Chinese headers) or xlsx; the Accept header (text/csv, the spreadsheet type) works too."),
    };

    private static readonly Dictionary<string, (Func<OpenApiSchema> Schema, string Description)> ByRoute = new()
    {
        ["/public/care-institutions jurisdiction"] = (() => Pattern(DivisionPrefixPattern), Prefix + " The whole nation when absent."),
        ["/public/insurance-designated jurisdiction"] = (() => Pattern(DivisionPrefixPattern), Prefix + " The whole nation when absent."),
        ["/public/enforcement-decisions jurisdiction"] = (() => Pattern(DivisionPrefixPattern), Prefix + " The whole nation when absent."),
        ["/api/inspections status"] = (() => OneOf(["open", "closed"]), "Open or closed on asOf."),
        ["/api/alerts type"] = (() => OneOf(Statistics.AlertTypes.All), "Only alerts of this type."),
        ["/api/statistics/integrated-care jurisdiction"] = (() => Pattern(DivisionPrefixPattern), Prefix + " Defaults to the caller's own; a national caller must name one (00 for the whole nation)."),
        ["/api/audit/events limit"] = (() => Whole(1, Audit.AuditFeedEndpoint.MaxNdjsonLimit, 50),
            $"The page size: up to {ReadParameters.MaxLimit} as JSON, {Audit.AuditFeedEndpoint.MaxNdjsonLimit} as NDJSON."),
        ["/api/audit/events jurisdiction"] = (() => Pattern(DivisionPrefixPattern), Prefix + " Only the events of institutions (and jurisdictions' rules) inside it; an officer's own jurisdiction when absent, the whole log for auditors."),
        ["/api/admin/webhooks/{id}/deliveries status"] = (() => OneOf<Webhooks.DeliveryStatus>(), "Only deliveries with this status."),
        ["/api/audit/export jurisdiction"] = (() => Pattern(DivisionPrefixPattern), Prefix + " The streams of institutions, permits and jurisdictions inside it; the whole log when absent."),
    };

    public static (OpenApiSchema Schema, string Description) Query(string route, string name) =>
        ByRoute.TryGetValue($"{route} {name}", out var special) ? (special.Schema(), special.Description)
        : ByName.TryGetValue(name, out var common) ? (common.Schema(), common.Description)
        : throw new InvalidOperationException($"query parameter {name} of {route} is not described in Contract/Parameters.cs");

    public static (OpenApiSchema Schema, string Description) Path(string name) => name switch
    {
        "id" or "permitId" or "findingId" => (Uuid(), name switch
        {
            "permitId" => "The permit's id.",
            "findingId" => "The finding's id.",
            _ => "The id of the resource the route names.",
        }),
        "code" => (Pattern(DivisionPrefixPattern), "A division code of GB/T 2260: 2, 4 or 6 digits (00 for the nation where a jurisdiction is meant)."),
        _ => throw new InvalidOperationException($"path parameter {name} is not described in Contract/Parameters.cs"),
    };
}
