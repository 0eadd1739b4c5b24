using CareRegistry.Localization;
using System.Security.Claims;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;

namespace CareRegistry.Access;

// Who is calling, read strictly from the bearer token: every claim must be in the vocabulary (docs/access.md), or
// the token is refused. Nothing is defaulted, so an invented role or department can neither act nor be recorded.
// Jurisdiction: "" is the nation; null only for an auditor or admin whose token names none.
public sealed record Caller(string UserId, Department? Department, Role Role, string? Jurisdiction)
{
    public const int MaxUserIdLength = 100;

    public bool IsNational => Jurisdiction == "";

    // A caller's division prefix covers a division code below or at it; the nation covers every one.
    public bool Covers(string division) =>
        Jurisdiction is { } own && division.StartsWith(own, StringComparison.Ordinal);

    // Auditors and national callers read everywhere.
    public bool ReadsEverywhere => Role == Role.Auditor || IsNational;

    public string Scope => Jurisdiction switch { null => "none", "" => "00 (the nation)", var j => j };

    // The caller admitted for this request (set by AccessGate.Admit, the first step of every /api chain).
    public static Caller Of(HttpContext context) =>
        context.Items[typeof(Caller)] as Caller ?? throw new InvalidOperationException("no caller was admitted for this request");

    // The caller, or why the token cannot be used. Claim names are those ops/token writes; docs/access.md maps a real
    // OIDC issuer's claims onto them.
    public static (Caller? Caller, Text? Refusal) Read(ClaimsPrincipal user)
    {
        var sub = user.FindFirstValue("sub");
        if (string.IsNullOrWhiteSpace(sub) || sub.Length > MaxUserIdLength || sub.Any(char.IsControl))
            return (null, L.T("the token's sub claim must name the user (1 to {0} characters)", MaxUserIdLength));

        var roleClaim = user.FindFirstValue("role");
        if (!Json.TryParse<Role>(roleClaim, out var role))
            return (null, L.T("the token's role claim {0} is not one of {1}", Quote(roleClaim), Json.WireValues<Role>()));

        var departmentClaim = user.FindFirstValue("department");
        Department? department = null;
        if (departmentClaim is not null)
        {
            if (!Json.TryParse<Department>(departmentClaim, out var d))
                return (null, L.T("the token's department claim {0} is not one of {1}", Quote(departmentClaim), Json.WireValues<Department>()));
            department = d;
        }
        else if (role is Role.Officer or Role.Inspector)
            return (null, L.T("a {0} token must name a department ({1})", Json.Wire(role), Json.WireValues<Department>()));

        var jurisdictionClaim = user.FindFirstValue("jurisdiction");
        string? jurisdiction;
        if (jurisdictionClaim is null)
        {
            if (role is Role.Officer or Role.Inspector)
                return (null, L.T("a {0} token must name a jurisdiction (00, or a 2, 4 or 6-digit division code)", Json.Wire(role)));
            jurisdiction = null;
        }
        else if (jurisdictionClaim is "00" or "all") jurisdiction = "";
        else if (jurisdictionClaim.Length == 0) return (null, L.T("the token's jurisdiction claim is empty"));
        else if (Division.PrefixProblem(jurisdictionClaim) is { } problem)
            return (null, L.T("the token's jurisdiction claim {0} {1}", Quote(jurisdictionClaim), problem));
        else jurisdiction = jurisdictionClaim;

        if (user.FindAll("role").Count() > 1 || user.FindAll("department").Count() > 1 || user.FindAll("jurisdiction").Count() > 1)
            return (null, L.T("the token must carry one role, one department and one jurisdiction"));
        return (new Caller(sub, department, role, jurisdiction), null);
    }

    private static string Quote(string? claim) => claim is null ? "(absent)" : $"'{(claim.Length > 40 ? claim[..40] + "…" : claim)}'";
}
