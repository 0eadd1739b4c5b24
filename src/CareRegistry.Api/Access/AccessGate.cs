using CareRegistry.Localization;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Access;

// The two steps AccessChecks weaves into every /api chain. Admit runs first, before the body is read or anything is
// loaded: 401 without a usable token, 403 when the role may not call the route. Check runs once the endpoint has
// understood the request — the typed command bound, the aggregates it names loaded — and before it validates, so a
// caller outside their scope gets 403 whatever else is wrong with the request, and learns nothing of what exists.
// Only a place that is no division code at all comes first, as a 400: it names nothing that could exist.
public static class AccessGate
{
    public static ProblemDetails Admit(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<AccessRule>() is not { } rule)
            return Forbidden(L.T("no access rule covers this route"));
        if (http.User.Identity?.IsAuthenticated != true)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Refused(StatusCodes.Status401Unauthorized, L.T("Not authenticated"), L.T("A valid bearer token is required."));
        }
        var (caller, refusal) = Caller.Read(http.User);
        if (caller is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Refused(StatusCodes.Status401Unauthorized, L.T("Not authenticated"), L.T("The token cannot be used: {0}.", refusal));
        }
        http.Items[typeof(Caller)] = caller;

        if (!rule.Roles.Contains(caller.Role))
            return Forbidden(L.T("the {0} role may not call {1} {2} (allowed: {3})", Json.Wire(caller.Role), rule.Method, rule.Route, string.Join(", ", rule.Roles.Select(Json.Wire))));
        if (caller.Jurisdiction is null && rule.Jurisdiction != JurisdictionRule.Everywhere && caller.Role != Role.Auditor)
            return Forbidden(L.T("the token names no jurisdiction"));
        if (rule.NationalOnly && !caller.IsNational)
            return Forbidden(L.T("only a national caller may do this"));
        if (rule.Department != DepartmentRule.None && caller.Department is null)
            return Forbidden(L.T("the token names no department, and this is a department's decision"));
        return WolverineContinue.NoProblems;
    }

    public static ProblemDetails Check(HttpContext http, AccessSubject subject)
    {
        // A place that is not a division code is no place at all: nothing to judge, and the request is not understood.
        if (subject.Malformed.Count > 0)
            return subject.Malformed.Aggregate(new Validation(), (v, m) => v.Add(m.Field, m.Reason)).ToProblem();
        var caller = Caller.Of(http);
        var reading = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        if (subject.DecidedBy.Count > 0 && (caller.Department is not { } own || !subject.DecidedBy.Contains(own)))
            return Forbidden(caller.Department is { } d
                ? L.T("this is decided by {0}; you act for {1}", Departments(subject.DecidedBy), DepartmentName(d))
                : L.T("this is decided by {0}; you act for no department", Departments(subject.DecidedBy)));
        if (reading && caller.ReadsEverywhere) return WolverineContinue.NoProblems;
        if (subject.AllOf.FirstOrDefault(p => !caller.Covers(p.Division)) is { } outside)
            return Forbidden(L.T("{0} is outside your jurisdiction {1}", outside.What, Scope(caller)));
        if (subject.AnyOf.Count > 0 && !subject.AnyOf.Any(p => caller.Covers(p.Division)))
            return Forbidden(L.T("no {0} is inside your jurisdiction {1}", subject.AnyOf[0].What, Scope(caller)));
        return WolverineContinue.NoProblems;
    }

    // A list read without a jurisdiction is narrowed to the caller's; auditors and national callers see everything.
    public static string ReadPrefix(HttpContext http, string? asked)
    {
        var caller = Caller.Of(http);
        return asked is null or "" or "00" && !caller.ReadsEverywhere ? caller.Jurisdiction ?? "" : asked ?? "";
    }

    private static Text Departments(IReadOnlyList<Department> departments) =>
        departments.Skip(1).Aggregate(DepartmentName(departments[0]), (all, next) => L.T("{0} or {1}", all, DepartmentName(next)));

    // The wire names in English (what the token carries); the departments' own short names in Chinese (民政, 卫健, 医保).
    public static Text DepartmentName(Department department) => department switch
    {
        Department.CivilAffairs => L.T("civil-affairs"),
        Department.Health => L.T("health"),
        Department.MedicalInsurance => L.T("medical-insurance"),
        _ => L.T("{0}", Json.Wire(department)),
    };

    private static Text Scope(Caller caller) => caller.Jurisdiction switch { null => L.T("none"), "" => L.T("00 (the nation)"), var j => L.T("{0}", j) };

    private static ProblemDetails Forbidden(Text detail) => Refused(StatusCodes.Status403Forbidden, L.T("Not allowed"), detail);

    private static ProblemDetails Refused(int status, Text title, Text detail) => new() { Status = status, Title = title.Render(), Detail = detail.Render() };
}
