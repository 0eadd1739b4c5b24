using System.Diagnostics;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http;

namespace CareRegistry.Common;

// Who is calling, from the bearer token's claims. Access control refuses unauthenticated requests to /api before
// anything reads this; the anonymous caller is read-only and jurisdiction-less, should anything else ask.
public sealed record Caller(string UserId, Department? Department, Role Role, string Jurisdiction)
{
    public const string NoJurisdiction = "none";

    public static readonly Caller Anonymous = new("anonymous", null, Role.Auditor, NoJurisdiction);

    public static Caller From(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true) return Anonymous;
        Json.TryParse<Department>(user.FindFirstValue("department"), out var department);
        Json.TryParse<Role>(user.FindFirstValue("role"), out var role);
        return new Caller(
            user.FindFirstValue("sub") ?? user.Identity.Name ?? "unknown",
            user.HasClaim(c => c.Type == "department") ? department : null,
            role,
            user.FindFirstValue("jurisdiction") switch { null or "" => NoJurisdiction, "all" => "00", var j => j });
    }
}

// Stamps every event written during a request with who recorded it and why, before the transaction commits.
public static class RecordedBy
{
    public const string DepartmentHeader = "department";
    public const string RoleHeader = "role";
    public const string SourceHeader = "source";

    public static void Before(HttpContext context, IDocumentSession session)
    {
        var caller = Caller.From(context);
        session.LastModifiedBy = caller.UserId;
        session.CorrelationId = context.Request.Headers["X-Correlation-Id"].FirstOrDefault() is { Length: > 0 and <= 100 } given
            ? given
            : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        session.CausationId = Activity.Current?.SpanId.ToString() ?? context.TraceIdentifier;
        if (caller.Department is { } department) session.SetHeader(DepartmentHeader, Json.Wire(department));
        session.SetHeader(RoleHeader, Json.Wire(caller.Role));
        if (context.Request.Headers["X-Data-Source"].FirstOrDefault() is "demo") session.SetHeader(SourceHeader, "demo");
        Access.Idempotency.MarkCommitted(context, session);
    }
}
