using System.Security.Claims;
using CareRegistry.Access;
using CareRegistry.Common;

namespace CareRegistry.WebConsole;

// The signed-in officer as the API will see them (the same Caller.Read), and how to name them on a page.
public static class Session
{
    public static Caller? Caller(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true ? Access.Caller.Read(user).Caller : null;

    // "5301" → 昆明市; "" or "00" → 全国 / the nation.
    public static string DivisionName(ConsoleText t, string? code)
    {
        if (code is null or "" or "00") return t["Division.Nation"];
        var info = Divisions.Divisions.Find(code);
        return info is null ? code : ConsoleText.IsChinese ? info.Name : info.Pinyin is { Length: > 0 } p ? $"{info.Name} ({p})" : info.Name;
    }

    public static string Describe(ConsoleText t, Caller caller) =>
        string.Join(" · ", new[]
        {
            DivisionName(t, caller.Jurisdiction),
            caller.Department is { } d ? t.Enum("department", Json.Wire(d)) : null,
            t.Enum("role", Json.Wire(caller.Role)),
        }.Where(s => !string.IsNullOrEmpty(s)));

    // The presets on the development sign-in page: who a demo user most often is.
    public sealed record Preset(string Key, string User, Department? Department, Role Role, string Jurisdiction);

    public static readonly Preset[] Presets =
    [
        new("km-civil-affairs", "km-mzj-officer", Department.CivilAffairs, Role.Officer, "5301"),
        new("km-health", "km-wjw-officer", Department.Health, Role.Officer, "5301"),
        new("km-insurance", "km-ybj-officer", Department.MedicalInsurance, Role.Officer, "5301"),
        new("guandu-civil-affairs", "gd-mzj-officer", Department.CivilAffairs, Role.Officer, "530111"),
        new("xishan-health-inspector", "xs-wjj-inspector", Department.Health, Role.Inspector, "530112"),
        new("yubei-civil-affairs", "yb-mzj-officer", Department.CivilAffairs, Role.Officer, "500112"),
        new("yunnan-health", "yn-wjw-officer", Department.Health, Role.Officer, "53"),
        new("auditor", "auditor", null, Role.Auditor, "00"),
    ];
}
