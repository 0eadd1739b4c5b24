using System.Globalization;
using CareRegistry.Common;
using CareRegistry.Designations;
using CareRegistry.Institutions;
using CareRegistry.Inspections;
using CareRegistry.Permits;

namespace CareRegistry.WebConsole.Forms;

// YesNo is a choice between true and false sent as a JSON boolean (a service offered from the date, or stopped).
public enum FieldKind { Text, TextArea, Date, Number, Select, Checks, Lines, Flag, YesNo }

// One input of a form. Name is the command's JSON name (a dot nests: "beds.medical"), which is also the key the API's
// problem details use in "errors", so a refusal lands next to the field it concerns. Required only marks the label:
// whether a value is missing is the API's decision, answered like any other refusal.
public sealed record FormField(string Name, FieldKind Kind, bool Required = false, string? Group = null, IReadOnlyList<string>? Options = null,
    bool Wide = false);

// What a form acts on: the stream it was rendered from (If-Match) and where the officer lands afterwards.
public enum FormTarget { NewInstitution, Institution, Permit, NewInspection, Inspection, Finding }

// A console form: the API route it posts to and its fields. The rules (what is required, allowed, in force) stay in
// the API's command and endpoint; this only lays the command's fields out.
public sealed record FormSpec(string Action, string Route, FormTarget Target, FormField[] Fields)
{
    private static string[] Wire<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Json.Wire).ToArray();

    private static FormField Date(string name, bool required = true) => new(name, FieldKind.Date, required);
    private static FormField Text(string name, bool required = false) => new(name, FieldKind.Text, required);
    private static FormField Area(string name, bool required = false) => new(name, FieldKind.TextArea, required, Wide: true);
    private static FormField Number(string name, bool required = false) => new(name, FieldKind.Number, required);
    private static FormField Select<T>(string name, string group, bool required = true) where T : struct, Enum =>
        new(name, FieldKind.Select, required, group, Wire<T>());

    public static readonly FormSpec[] All =
    [
        new("register", "/api/institutions", FormTarget.NewInstitution,
        [
            Text("name", true), Text("latinName"), Text("uscc", true), Select<InstitutionKind>("kind", "kind"),
            Select<MedicalSubtype>("medicalSubtype", "subtype", required: false), Number("grade"), Select<Ownership>("ownership", "ownership"),
            Text("jurisdiction", true), Text("address", true),
            Number("beds.elderlyCare"), Number("beds.medical"), Number("beds.nursing"), Number("beds.rehabilitation"), Number("beds.hospice"),
            Text("operator"), Date("establishedOn", required: false),
            Number("location.lat"), Number("location.lon"), new("location.approximate", FieldKind.Flag),
        ]),
        new("submit-permit", "/api/institutions/{id}/permits", FormTarget.Institution,
        [
            Select<PermitType>("type", "permit-type"), Date("effectiveOn"), Date("expiresOn", required: false), Text("number"), Area("scope"),
        ]),
        new("decide", "/api/institutions/{id}/permits/{permitId}/decision", FormTarget.Permit,
        [
            Select<Decision>("decision", "decision"), Date("decidedOn"), Text("number"), Date("expiresOn", required: false), Area("reason"),
        ]),
        new("renew", "/api/institutions/{id}/permits/{permitId}/renewal", FormTarget.Permit, [Date("effectiveOn"), Date("expiresOn"), Area("reason")]),
        new("suspend", "/api/institutions/{id}/permits/{permitId}/suspension", FormTarget.Permit, [Date("effectiveOn"), Area("reason", true)]),
        new("revoke", "/api/institutions/{id}/permits/{permitId}/revocation", FormTarget.Permit, [Date("effectiveOn"), Area("reason", true)]),
        new("open-inspection", "/api/inspections", FormTarget.NewInspection,
        [
            Select<InspectionKind>("kind", "inspection-kind"), new("institutionIds", FieldKind.Lines, true, Wide: true),
            new("departments", FieldKind.Checks, true, "department", Wire<Department>()), new("inspectors", FieldKind.Lines, true, Wide: true),
            Date("openedOn"),
        ]),
        new("record-finding", "/api/inspections/{id}/findings", FormTarget.Inspection,
        [
            new("institutionId", FieldKind.Select, true, "institution"), Select<FindingCategory>("category", "category"),
            Select<Severity>("severity", "severity"), Number("demeritPoints", true), Area("description", true), Date("rectificationDue", required: false),
            Date("foundOn", required: false),
        ]),
        new("rectification", "/api/inspections/{id}/findings/{findingId}/rectification", FormTarget.Finding, [Date("reportedOn"), Area("note", true)]),
        new("verify", "/api/inspections/{id}/findings/{findingId}/verification", FormTarget.Finding,
            [Date("verifiedOn"), Select<VerificationOutcome>("outcome", "outcome"), Area("note")]),
        new("dispute", "/api/inspections/{id}/findings/{findingId}/dispute", FormTarget.Finding, [Date("filedOn"), Area("grounds", true)]),
        new("decide-dispute", "/api/inspections/{id}/findings/{findingId}/dispute/decision", FormTarget.Finding,
            [Select<DisputeOutcome>("outcome", "dispute-outcome"), Number("demeritPoints"), Area("basis", true), Date("decidedOn")]),
        // The dated facts of an institution: each report or record stands from its date (docs/api.md).
        new("report-staff", "/api/institutions/{id}/staff", FormTarget.Institution,
        [
            Number("doctors", true), Number("nurses", true), Number("careWorkers", true), Number("certifiedCareWorkers", true), Date("effectiveOn"),
            Text("source", true),
        ]),
        new("record-service", "/api/institutions/{id}/services", FormTarget.Institution,
        [
            Select<CareService>("service", "care-service"), new("offered", FieldKind.YesNo, true, "offered", ["true", "false"]), Date("effectiveOn"),
            Area("basis", true),
        ]),
        new("report-occupancy", "/api/institutions/{id}/occupancy", FormTarget.Institution, [Number("residents", true), Date("effectiveOn"), Text("source", true)]),
        new("record-rating", "/api/institutions/{id}/ratings", FormTarget.Institution,
        [
            Select<RatingScheme>("scheme", "rating-scheme"), Number("level", true), Select<HospitalClass>("class", "hospital-class", required: false),
            Date("effectiveOn"), Date("validTo", required: false), Area("basis", true),
        ]),
        new("record-designation", "/api/institutions/{id}/designations", FormTarget.Institution,
        [
            Select<Programme>("programme", "programme"), Select<DesignationLevel>("level", "designation-level"), Text("designatedBy", true),
            Date("effectiveOn"), Date("validTo", required: false), Area("basis", true),
        ]),
    ];

    public static FormSpec? Find(string? action) => All.FirstOrDefault(f => f.Action == action);

    // The command's JSON body from the posted values: empty inputs are left out (the API says whether one was needed),
    // a number that does not parse is sent as typed so that the API names the field, lists become arrays.
    public Dictionary<string, object?> Body(Func<string, IReadOnlyList<string>> posted)
    {
        var body = new Dictionary<string, object?>();
        foreach (var field in Fields)
        {
            var values = posted(field.Name);
            object? value = field.Kind switch
            {
                FieldKind.Checks => values.Where(v => v.Length > 0).ToArray() is { Length: > 0 } a ? a : null,
                FieldKind.Lines => Split(values.FirstOrDefault()) is { Length: > 0 } lines ? lines : null,
                FieldKind.Number => values.FirstOrDefault()?.Trim() is { Length: > 0 } n
                    ? long.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x
                    : decimal.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : n
                    : null,
                FieldKind.Flag => values.Contains("true") ? true : null,
                FieldKind.YesNo => values.FirstOrDefault() switch { "true" => true, "false" => false, _ => null },
                _ => values.FirstOrDefault() is { Length: > 0 } s ? s : null,
            };
            if (value is null) continue;
            var target = body;
            var parts = field.Name.Split('.');
            foreach (var part in parts[..^1])
            {
                if (!target.TryGetValue(part, out var inner) || inner is not Dictionary<string, object?> d) target[part] = d = new Dictionary<string, object?>();
                target = d;
            }
            target[parts[^1]] = value;
        }
        return body;
    }

    public static string[] Split(string? text) =>
        (text ?? "").Split(['\n', '\r', ',', '，', '、', ';', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
