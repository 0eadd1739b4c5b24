using CareRegistry.Common;

namespace CareRegistry.Access;

// Where a command's deciding department comes from. Each endpoint's Concerns method reads it from the typed command
// and what the endpoint loaded (AccessSubject); these names say, for the reader of the table, which it is.
public enum DepartmentRule
{
    AnyDepartment,        // any department's officer (registering and changing institutions)
    PermitType,           // the department that owns the permit type the command names
    PermitInRoute,        // the department that owns the permit named in the route
    PermitNamedElseAny,   // enforcement: the permit's department when it acts on a permit, any department otherwise
    DepartmentsNamed,     // one of the departments the command names (opening a joint inspection)
    InspectionInRoute,    // one of the departments of the inspection named in the route
    RecorderOfEntry,      // the department that recorded the entry the correction names
    ServiceNamed,         // the department that owns the service named (civil affairs: day care, dementia care; health: the rest)
    OwnerOfFact,          // the department that owns the kind of fact recorded (designations and staff: health; occupancy: civil affairs; ratings: civil affairs for care homes, health for hospitals)
    None,                 // not a department decision
}

// Which jurisdiction the caller must cover.
public enum JurisdictionRule
{
    DivisionNamed,        // the division the command names, and its predecessor's (registration)
    InstitutionInRoute,   // the institution named in the route (directly, or through the permit in the route)
    CodeInRoute,          // the jurisdiction named in the route (regimes, population, thresholds)
    InstitutionsNamed,    // every institution the command names (opening an inspection)
    InspectionInRoute,    // at least one institution of the inspection in the route (and a finding's own institution)
    PartiesNamed,         // at least one of the agreement's parties
    PartnershipInRoute,   // at least one party of the partnership in the route
    EntryNamed,           // at least one institution the retracted entry concerns (corrections)
    JurisdictionNamed,    // the division prefix the command names (00, the nation: only a national caller)
    SubscriptionInRoute,  // the jurisdiction of the webhook subscription in the route
    SearchFilter,         // lists are narrowed to the caller's jurisdiction; asking outside it is refused
    Everywhere,           // public rules (regimes in force) and national operations
}

public sealed record AccessRule(string Method, string Route, Role[] Roles, DepartmentRule Department, JurisdictionRule Jurisdiction, bool NationalOnly = false)
{
    // Whether the endpoint must say what it concerns (a Concerns method): every rule but the public and national ones.
    public bool NeedsSubject => Jurisdiction != JurisdictionRule.Everywhere || Department is not (DepartmentRule.AnyDepartment or DepartmentRule.None);
}

// The whole policy in one table: who may call which route. A route not listed here is refused, and a test fails
// when a route exists without a row. docs/access.md explains it in prose.
public static class AccessPolicy
{
    private static readonly Role[] Officers = [Role.Officer];
    private static readonly Role[] Readers = [Role.Officer, Role.Inspector, Role.Auditor, Role.Admin];
    private static readonly Role[] Auditors = [Role.Auditor, Role.Admin];
    private static readonly Role[] Admins = [Role.Admin];
    // The event feed: auditors and admins everywhere, officers of any department for their own jurisdiction.
    private static readonly Role[] FeedReaders = [Role.Officer, Role.Auditor, Role.Admin];
    private const string Webhook = "/api/admin/webhooks/{id}";
    private static readonly Role[] Inspectors = [Role.Inspector];
    private static readonly Role[] FieldStaff = [Role.Officer, Role.Inspector];
    private const string Finding = "/api/inspections/{id}/findings/{findingId}";

    private const string Permit = "/api/institutions/{id}/permits/{permitId}";

    public static readonly AccessRule[] Rules =
    [
        new("POST", "/api/institutions", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.DivisionNamed),
        new("POST", "/api/institutions/batch", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.DivisionNamed),
        new("POST", "/api/institutions/{id}/details", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/beds", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/ratings", Officers, DepartmentRule.OwnerOfFact, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/occupancy", Officers, DepartmentRule.OwnerOfFact, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/services", Officers, DepartmentRule.ServiceNamed, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/staff", Officers, DepartmentRule.OwnerOfFact, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/designations", Officers, DepartmentRule.OwnerOfFact, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/closure", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/operator", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/enforcement", Officers, DepartmentRule.PermitNamedElseAny, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/institutions/{id}/permits", Officers, DepartmentRule.PermitType, JurisdictionRule.InstitutionInRoute),
        new("POST", Permit + "/decision", Officers, DepartmentRule.PermitInRoute, JurisdictionRule.InstitutionInRoute),
        new("POST", Permit + "/renewal", Officers, DepartmentRule.PermitInRoute, JurisdictionRule.InstitutionInRoute),
        new("POST", Permit + "/suspension", Officers, DepartmentRule.PermitInRoute, JurisdictionRule.InstitutionInRoute),
        new("POST", Permit + "/reinstatement", Officers, DepartmentRule.PermitInRoute, JurisdictionRule.InstitutionInRoute),
        new("POST", Permit + "/revocation", Officers, DepartmentRule.PermitInRoute, JurisdictionRule.InstitutionInRoute),
        new("POST", Permit + "/correction-request", Officers, DepartmentRule.PermitInRoute, JurisdictionRule.InstitutionInRoute),
        new("POST", Permit + "/correction", Officers, DepartmentRule.PermitInRoute, JurisdictionRule.InstitutionInRoute),
        new("POST", Permit + "/cancellation", Officers, DepartmentRule.PermitInRoute, JurisdictionRule.InstitutionInRoute),
        new("POST", "/api/jurisdictions/{code}/regimes", Officers, DepartmentRule.PermitType, JurisdictionRule.CodeInRoute),
        new("POST", "/api/inspections", Inspectors, DepartmentRule.DepartmentsNamed, JurisdictionRule.InstitutionsNamed),
        new("POST", "/api/inspections/{id}/findings", Inspectors, DepartmentRule.InspectionInRoute, JurisdictionRule.InspectionInRoute),
        new("POST", "/api/inspections/{id}/close", Inspectors, DepartmentRule.InspectionInRoute, JurisdictionRule.InspectionInRoute),
        new("POST", Finding + "/rectification", FieldStaff, DepartmentRule.InspectionInRoute, JurisdictionRule.InspectionInRoute),
        new("POST", Finding + "/verification", Inspectors, DepartmentRule.InspectionInRoute, JurisdictionRule.InspectionInRoute),
        new("POST", Finding + "/dispute", FieldStaff, DepartmentRule.InspectionInRoute, JurisdictionRule.InspectionInRoute),
        new("POST", Finding + "/dispute/decision", Officers, DepartmentRule.InspectionInRoute, JurisdictionRule.InspectionInRoute),
        new("POST", "/api/partnerships", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.PartiesNamed),
        new("POST", "/api/partnerships/{id}/renewal", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.PartnershipInRoute),
        new("POST", "/api/partnerships/{id}/termination", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.PartnershipInRoute),
        new("POST", "/api/jurisdictions/{code}/population", Officers, DepartmentRule.AnyDepartment, JurisdictionRule.CodeInRoute),
        new("POST", "/api/jurisdictions/{code}/designations", Officers, DepartmentRule.OwnerOfFact, JurisdictionRule.CodeInRoute),
        new("POST", "/api/jurisdictions/{code}/demerit-threshold", Admins, DepartmentRule.None, JurisdictionRule.CodeInRoute),
        new("POST", "/api/corrections", FieldStaff, DepartmentRule.RecorderOfEntry, JurisdictionRule.EntryNamed),
        new("POST", "/api/admin/projections/rebuild", Admins, DepartmentRule.None, JurisdictionRule.Everywhere, NationalOnly: true),
        // Webhooks (Webhooks/): an admin covering the subscription's jurisdiction manages it; auditors read them too.
        new("POST", "/api/admin/webhooks", Admins, DepartmentRule.None, JurisdictionRule.JurisdictionNamed),
        new("POST", Webhook + "/pause", Admins, DepartmentRule.None, JurisdictionRule.SubscriptionInRoute),
        new("POST", Webhook + "/resume", Admins, DepartmentRule.None, JurisdictionRule.SubscriptionInRoute),
        new("POST", Webhook + "/deletion", Admins, DepartmentRule.None, JurisdictionRule.SubscriptionInRoute),
        new("POST", Webhook + "/replay", Admins, DepartmentRule.None, JurisdictionRule.SubscriptionInRoute),

        new("GET", "/api/institutions", Readers, DepartmentRule.None, JurisdictionRule.SearchFilter),
        new("GET", "/api/institutions/map", Readers, DepartmentRule.None, JurisdictionRule.SearchFilter),
        new("GET", "/api/institutions/{id}", Readers, DepartmentRule.None, JurisdictionRule.InstitutionInRoute),
        new("GET", "/api/institutions/{id}/history", Readers, DepartmentRule.None, JurisdictionRule.InstitutionInRoute),
        new("GET", Permit, Readers, DepartmentRule.None, JurisdictionRule.InstitutionInRoute),
        new("GET", "/api/inspections", Readers, DepartmentRule.None, JurisdictionRule.SearchFilter),
        new("GET", "/api/inspections/{id}", Readers, DepartmentRule.None, JurisdictionRule.InspectionInRoute),
        new("GET", "/api/partnerships", Readers, DepartmentRule.None, JurisdictionRule.SearchFilter),
        new("GET", "/api/partnerships/{id}", Readers, DepartmentRule.None, JurisdictionRule.PartnershipInRoute),
        new("GET", "/api/jurisdictions/{code}", Readers, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/divisions/{code}", Readers, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/divisions", Readers, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/statistics/integrated-care", Readers, DepartmentRule.None, JurisdictionRule.SearchFilter),
        new("GET", "/api/alerts", Readers, DepartmentRule.None, JurisdictionRule.SearchFilter),
        new("GET", "/api/audit/events", FeedReaders, DepartmentRule.None, JurisdictionRule.SearchFilter),
        new("GET", "/api/audit/streams/{id}", Auditors, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/audit/verify", Auditors, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/audit/digest", Auditors, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/audit/replay", Auditors, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/audit/export", Auditors, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/audit/projections", Auditors, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/statistics/counts", Auditors, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/admin/projections/rebuilds/{id}", Auditors, DepartmentRule.None, JurisdictionRule.Everywhere),
        new("GET", "/api/admin/webhooks", Auditors, DepartmentRule.None, JurisdictionRule.SearchFilter),
        new("GET", Webhook, Auditors, DepartmentRule.None, JurisdictionRule.SubscriptionInRoute),
        new("GET", Webhook + "/deliveries", Auditors, DepartmentRule.None, JurisdictionRule.SubscriptionInRoute),

        // HL7 FHIR R4 (Fhir/): the same readers and scope as the lists and reads they mirror.
        new("GET", "/fhir/Organization", Readers, DepartmentRule.None, JurisdictionRule.SearchFilter),
        new("GET", "/fhir/Organization/{id}", Readers, DepartmentRule.None, JurisdictionRule.InstitutionInRoute),
        new("GET", "/fhir/Location/{id}", Readers, DepartmentRule.None, JurisdictionRule.InstitutionInRoute),
        new("GET", "/fhir/OrganizationAffiliation/{id}", Readers, DepartmentRule.None, JurisdictionRule.PartnershipInRoute),
        new("GET", "/fhir/$export", Readers, DepartmentRule.None, JurisdictionRule.SearchFilter),
    ];

    private static readonly Dictionary<(string, string), AccessRule> ByRoute = Rules.ToDictionary(r => (r.Method, r.Route));

    // HEAD is GET without the body (Common/HeadLikeGet.cs), so it is allowed to whoever may GET the route.
    public static AccessRule? For(string method, string route) =>
        ByRoute.GetValueOrDefault((HttpMethods.IsHead(method) ? "GET" : method, route));
}
