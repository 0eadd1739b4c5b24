using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Access;

// The two steps AccessChecks weaves into every /api chain. Admit runs first, before the body is read or anything is
// loaded: 401 without a usable token, 403 when the role may not call the route. Check runs once the endpoint has
// understood the request — the typed command bound, the aggregates it names loaded — and before it validates, so a
// caller outside their scope gets 403 whatever else is wrong with the request, and learns nothing of what exists.
public static class AccessGate
{
    public static ProblemDetails Admit(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<AccessRule>() is not { } rule)
            return Forbidden("no access rule covers this route");
        if (http.User.Identity?.IsAuthenticated != true)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Refused(StatusCodes.Status401Unauthorized, "Not authenticated", "A valid bearer token is required.");
        }
        var (caller, refusal) = Caller.Read(http.User);
        if (caller is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Refused(StatusCodes.Status401Unauthorized, "Not authenticated", $"The token cannot be used: {refusal}.");
        }
        http.Items[typeof(Caller)] = caller;

        if (!rule.Roles.Contains(caller.Role))
            return Forbidden($"the {Json.Wire(caller.Role)} role may not call {rule.Method} {rule.Route} (allowed: {string.Join(", ", rule.Roles.Select(Json.Wire))})");
        if (caller.Jurisdiction is null && rule.Jurisdiction != JurisdictionRule.Everywhere && caller.Role != Role.Auditor)
            return Forbidden("the token names no jurisdiction");
        if (rule.NationalOnly && !caller.IsNational)
            return Forbidden("only a national caller may do this");
        if (rule.Department != DepartmentRule.None && caller.Department is null)
            return Forbidden("the token names no department, and this is a department's decision");
        return WolverineContinue.NoProblems;
    }

    public static ProblemDetails Check(HttpContext http, AccessSubject subject)
    {
        var caller = Caller.Of(http);
        var reading = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        if (subject.DecidedBy.Count > 0 && (caller.Department is not { } own || !subject.DecidedBy.Contains(own)))
            return Forbidden($"this is decided by {string.Join(" or ", subject.DecidedBy.Select(Json.Wire))}; you act for {(caller.Department is { } d ? Json.Wire(d) : "no department")}");
        if (reading && caller.ReadsEverywhere) return WolverineContinue.NoProblems;
        if (subject.AllOf.FirstOrDefault(p => !caller.Covers(p.Division)) is { } outside)
            return Forbidden($"{outside.What} is outside your jurisdiction {caller.Scope}");
        if (subject.AnyOf.Count > 0 && !subject.AnyOf.Any(p => caller.Covers(p.Division)))
            return Forbidden($"no {subject.AnyOf[0].What} is inside your jurisdiction {caller.Scope}");
        return WolverineContinue.NoProblems;
    }

    // A list read without a jurisdiction is narrowed to the caller's; auditors and national callers see everything.
    public static string ReadPrefix(HttpContext http, string? asked)
    {
        var caller = Caller.Of(http);
        return asked is null or "" or "00" && !caller.ReadsEverywhere ? caller.Jurisdiction ?? "" : asked ?? "";
    }

    private static ProblemDetails Forbidden(string detail) => Refused(StatusCodes.Status403Forbidden, "Not allowed", detail);

    private static ProblemDetails Refused(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };
}
