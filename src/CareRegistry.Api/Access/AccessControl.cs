using System.Text.Json;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace CareRegistry.Access;

// Applies AccessPolicy before any endpoint runs: 401 without valid credentials, 403 with the reason when the role,
// department or jurisdiction does not fit. Nothing is written for a refused request.
public sealed class AccessControl(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IQuerySession session, IProblemDetailsService problems)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint || !context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }
        var rule = AccessPolicy.For(context.Request.Method, "/" + endpoint.RoutePattern.RawText?.TrimStart('/'));
        if (context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Refuse(context, problems, StatusCodes.Status401Unauthorized, "A valid bearer token is required.");
            return;
        }
        var caller = Caller.From(context);
        var refusal = rule is null ? "no access rule covers this route" : await RefusalAsync(rule, caller, context, session);
        if (refusal is not null)
        {
            await Refuse(context, problems, StatusCodes.Status403Forbidden, refusal);
            return;
        }
        await next(context);
    }

    private static async Task<string?> RefusalAsync(AccessRule rule, Caller caller, HttpContext context, IQuerySession session)
    {
        if (!rule.Roles.Contains(caller.Role))
            return $"the {Json.Wire(caller.Role)} role may not call {rule.Method} {rule.Route} (allowed: {string.Join(", ", rule.Roles.Select(Json.Wire))})";
        if (caller.Jurisdiction == Caller.NoJurisdiction && rule.Jurisdiction != JurisdictionRule.Everywhere && caller.Role != Role.Auditor)
            return "the token names no jurisdiction";
        if (rule.NationalOnly && caller.Jurisdiction is not ("00" or ""))
            return "only a national caller may do this";

        var body = rule.Method == "POST" ? await ReadBodyAsync(context) : null;
        var ct = context.RequestAborted;

        var inspection = rule.Jurisdiction == JurisdictionRule.InspectionInRoute && Guid.TryParse(context.Request.RouteValues["id"] as string, out var inspectionId)
            ? await session.LoadAsync<Inspection>(inspectionId, ct)
            : null;
        var entry = rule.Department == DepartmentRule.RecorderOfEntry ? await EntryAsync(body, session, ct) : null;
        IReadOnlyList<Department>? deciding = rule.Department switch
        {
            DepartmentRule.PermitTypeInBody => One(PermitTypeDepartment(body, "type") ?? PermitTypeDepartment(body, "permitType")),
            DepartmentRule.PermitInRoute => One((await PermitAsync(context.Request.RouteValues["permitId"], session, ct))?.Department),
            DepartmentRule.PermitInBodyElseAny => One((await PermitAsync(Field(body, "permitId"), session, ct))?.Department),
            DepartmentRule.DepartmentsInBody => Strings(body, "departments").Select(w => Json.TryParse<Department>(w, out var d) ? d : (Department?)null)
                .OfType<Department>().ToList() is { Count: > 0 } named ? named : null,
            DepartmentRule.InspectionInRoute => inspection?.Departments,
            DepartmentRule.RecorderOfEntry => One(entry?.Department),
            _ => null,
        };
        if (rule.Department != DepartmentRule.None && caller.Department is null)
            return "the token names no department, and this is a department's decision";
        if (deciding is { Count: > 0 } ds && !ds.Contains(caller.Department!.Value))
            return $"this is decided by {string.Join(" or ", ds.Select(Json.Wire))}; you act for {Json.Wire(caller.Department!.Value)}";

        switch (rule.Jurisdiction)
        {
            case JurisdictionRule.JurisdictionInBody when Field(body, "jurisdiction") is string division && !AccessPolicy.Covers(caller, division):
                return $"division {division} is outside your jurisdiction {caller.Jurisdiction}";
            case JurisdictionRule.CodeInRoute when context.Request.RouteValues["code"] is string code && !AccessPolicy.Covers(caller, code == "00" ? "" : code):
                return $"jurisdiction {code} is outside your jurisdiction {caller.Jurisdiction}";
            case JurisdictionRule.InstitutionInRoute when rule.Method == "POST" || !AccessPolicy.ReadsEverywhere(caller):
                if (Guid.TryParse(context.Request.RouteValues["id"] as string, out var id)
                    && await session.LoadAsync<Institution>(id, ct) is { } institution && !AccessPolicy.Covers(caller, institution.Jurisdiction))
                    return $"institution {institution.Uscc} in {institution.Jurisdiction} is outside your jurisdiction {caller.Jurisdiction}";
                break;
            case JurisdictionRule.InstitutionsInBody:
                var named = Strings(body, "institutionIds").Select(x => Guid.TryParse(x, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToArray();
                if (named.Length > 0 && (await session.LoadManyAsync<Institution>(ct, named)).FirstOrDefault(i => !AccessPolicy.Covers(caller, i.Jurisdiction)) is { } outside)
                    return $"institution {outside.Uscc} in {outside.Jurisdiction} is outside your jurisdiction {caller.Jurisdiction}";
                break;
            case JurisdictionRule.InspectionInRoute when inspection is not null && (rule.Method == "POST" || !AccessPolicy.ReadsEverywhere(caller)):
                var inspected = await session.LoadManyAsync<Institution>(ct, inspection.InstitutionIds.ToArray());
                if (!inspected.Any(i => AccessPolicy.Covers(caller, i.Jurisdiction)))
                    return $"inspection {inspection.Id} covers no institution inside your jurisdiction {caller.Jurisdiction}";
                if (Field(body, "institutionId") is string target && Guid.TryParse(target, out var targetId)
                    && inspected.FirstOrDefault(i => i.Id == targetId) is { } subject && !AccessPolicy.Covers(caller, subject.Jurisdiction))
                    return $"institution {subject.Uscc} in {subject.Jurisdiction} is outside your jurisdiction {caller.Jurisdiction}";
                break;
            case JurisdictionRule.EntryInBody when entry is { Institutions.Count: > 0 }:
                if (!(await session.LoadManyAsync<Institution>(ct, entry.Institutions.ToArray())).Any(i => AccessPolicy.Covers(caller, i.Jurisdiction)))
                    return $"the entry concerns no institution inside your jurisdiction {caller.Jurisdiction}";
                break;
            case JurisdictionRule.PartiesInBody:
                var parties = Strings(body, "partyIds").Select(x => Guid.TryParse(x, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToArray();
                if (parties.Length > 0 && await session.LoadManyAsync<Institution>(ct, parties) is { Count: > 0 } found && !found.Any(i => AccessPolicy.Covers(caller, i.Jurisdiction)))
                    return $"no party of this agreement is inside your jurisdiction {caller.Jurisdiction}";
                break;
            case JurisdictionRule.PartnershipInRoute when rule.Method == "POST" || !AccessPolicy.ReadsEverywhere(caller):
                if (Guid.TryParse(context.Request.RouteValues["id"] as string, out var partnershipId)
                    && await session.LoadAsync<Partnership>(partnershipId, ct) is { } partnership
                    && !(await session.LoadManyAsync<Institution>(ct, partnership.PartyIds.ToArray())).Any(i => AccessPolicy.Covers(caller, i.Jurisdiction)))
                    return $"no party of agreement {partnership.Id} is inside your jurisdiction {caller.Jurisdiction}";
                break;
            case JurisdictionRule.SearchFilter when !AccessPolicy.ReadsEverywhere(caller):
                var asked = context.Request.Query["jurisdiction"].ToString();
                if (asked.Length == 0 || asked == "00")
                    context.Request.QueryString = QueryString.Create(context.Request.Query
                        .Where(q => q.Key != "jurisdiction").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                        .Append(new("jurisdiction", caller.Jurisdiction)));
                else if (!asked.StartsWith(caller.Jurisdiction, StringComparison.Ordinal))
                    return $"jurisdiction {asked} is outside your jurisdiction {caller.Jurisdiction}";
                break;
        }
        return null;
    }

    // The body is read once here and rewound for the endpoint; one that does not parse is left to the endpoint to refuse.
    private static async Task<JsonElement?> ReadBodyAsync(HttpContext context)
    {
        context.Request.EnableBuffering();
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return doc.RootElement.Clone();
        }
        catch (JsonException) { return null; }
        finally { context.Request.Body.Position = 0; }
    }

    private static object? Field(JsonElement? body, string name)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b) return null;
        foreach (var p in b.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String)
                return p.Value.GetString();
        return null;
    }

    private sealed record Entry(Department? Department, IReadOnlyList<Guid> Institutions);

    // The entry a correction names; an unknown one is left to the endpoint to answer 404.
    private static async Task<Entry?> EntryAsync(JsonElement? body, IQuerySession session, CancellationToken ct)
    {
        if (!Guid.TryParse(Field(body, "streamId") as string, out var streamId) || Number(body, "version") is not { } version) return null;
        var stream = await session.Events.FetchStreamAsync(streamId, token: ct);
        if (stream.FirstOrDefault(e => e.Version == version) is not { } found) return null;
        Json.TryParse<Department>(Audit.Retractions.RecordedByDepartment(found), out var department);
        return new Entry(Audit.Retractions.RecordedByDepartment(found) is null ? null : department, Audit.Retractions.InstitutionsOf(found, stream));
    }

    private static long? Number(JsonElement? body, string name)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b) return null;
        foreach (var p in b.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt64(out var n))
                return n;
        return null;
    }

    private static IReadOnlyList<Department>? One(Department? d) => d is { } x ? [x] : null;

    private static IEnumerable<string> Strings(JsonElement? body, string name)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b) yield break;
        foreach (var p in b.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.Array)
                foreach (var item in p.Value.EnumerateArray())
                    if (item.ValueKind == JsonValueKind.String) yield return item.GetString()!;
    }

    private static Department? PermitTypeDepartment(JsonElement? body, string field) =>
        Field(body, field) is string wire && Json.TryParse<PermitType>(wire, out var type) ? PermitTypes.DepartmentOf(type) : null;

    private static async Task<Permit?> PermitAsync(object? id, IQuerySession session, CancellationToken ct) =>
        Guid.TryParse(id as string, out var permitId) ? await session.LoadAsync<Permit>(permitId, ct) : null;

    private static async Task Refuse(HttpContext context, IProblemDetailsService problems, int status, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = status, Detail = detail,
                Title = status == StatusCodes.Status401Unauthorized ? "Not authenticated" : "Not allowed",
            },
        });
    }
}
