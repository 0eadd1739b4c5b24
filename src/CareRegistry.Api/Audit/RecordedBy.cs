using System.Diagnostics;
using CareRegistry.Access;
using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Http;

namespace CareRegistry.Audit;

// Stamps every event written during a request with who recorded it and why, before the transaction commits. The
// caller is the one AccessGate admitted, so only values from the vocabulary are ever recorded.
public static class RecordedBy
{
    public const string DepartmentHeader = "department";
    public const string RoleHeader = "role";
    public const string SourceHeader = "source";

    public static void Before(HttpContext context, IDocumentSession session)
    {
        var caller = Caller.Of(context);
        session.LastModifiedBy = caller.UserId;
        session.CorrelationId = context.Request.Headers["X-Correlation-Id"].FirstOrDefault() is { Length: > 0 and <= 100 } given && !given.Any(char.IsControl)
            ? given
            : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        session.CausationId = Activity.Current?.SpanId.ToString() ?? context.TraceIdentifier;
        if (caller.Department is { } department) session.SetHeader(DepartmentHeader, Json.Wire(department));
        session.SetHeader(RoleHeader, Json.Wire(caller.Role));
        if (context.Request.Headers["X-Data-Source"].FirstOrDefault() is "demo") session.SetHeader(SourceHeader, "demo");
    }

    // The department stamped on an event by the request that recorded it, if any.
    public static Department? DepartmentOf(JasperFx.Events.IEvent e) =>
        e.Headers is not null && e.Headers.TryGetValue(DepartmentHeader, out var value) && Json.TryParse<Department>(value?.ToString(), out var department)
            ? department
            : null;
}
