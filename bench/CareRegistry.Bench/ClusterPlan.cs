using System.Text.Json.Nodes;
using CareRegistry.Common;
using static CareRegistry.Bench.DataSet;

namespace CareRegistry.Bench;

public interface ISender
{
    // Sends one command; the answer's body, or null when the command was refused (counted by the sender).
    Task<JsonObject?> PostAsync(string url, JsonObject body, Department department, Role role);
}

// One cluster's commands, in an order the registry accepts, exactly as the registry's users would send them. The
// mix (per institution): registration; elderly-care permits for care homes (approval before 2018-12-29, filing
// after), internal clinics for ~15 % of care homes, medical licences with five-yearly renewals and ~3 % revoked,
// insurance designations, pilots; care-medical agreements for ~80 % of care homes, renewed; bed changes; yearly
// inspections of the cluster (some joint) plus spot checks, findings of each severity with rectification,
// verification (some rejected first), disputes and warnings.
public static class ClusterPlan
{
    private static readonly string[] Categories = ["practitioner-qualification", "medical-service-conduct", "drug-use", "staffing", "facilities", "fire-safety", "hygiene", "elder-abuse-risk", "other"];
    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["practitioner-qualification"] = "医务人员未取得执业证书即上岗", ["medical-service-conduct"] = "病历书写不规范", ["drug-use"] = "部分药品过期未清理",
        ["staffing"] = "护理员配备不足", ["facilities"] = "无障碍设施损坏未修复", ["fire-safety"] = "灭火器检验标签过期", ["hygiene"] = "消毒记录不全",
        ["elder-abuse-risk"] = "约束措施未经评估", ["other"] = "台账资料不完整",
    };
    private static JsonArray CareServices() => ["health-guidance", "emergency-care", "appointment-booking", "scheduled-visits"];

    public static async Task RunAsync(int cluster, ISender s)
    {
        var shapes = ShapeOf(cluster);
        var r = new Random(Seed * 31 + cluster % Shapes + 1);
        var ids = new Guid?[ClusterSize];
        for (var p = 0; p < ClusterSize; p++)
        {
            var sh = shapes[p];
            var id = IdentityOf(cluster, p, sh);
            var body = new JsonObject
            {
                ["name"] = id.Name, ["latinName"] = id.LatinName, ["uscc"] = id.Uscc, ["kind"] = Json.Wire(sh.Kind),
                ["medicalSubtype"] = sh.Subtype is { } st ? Json.Wire(st) : null, ["grade"] = sh.Grade, ["ownership"] = Json.Wire(sh.Ownership),
                ["jurisdiction"] = id.Jurisdiction, ["address"] = id.Address, ["beds"] = sh.Beds.DeepClone(), ["establishedOn"] = D(sh.EstablishedOn),
                ["operator"] = sh.Ownership == Ownership.PublicBuiltPrivateOperated ? "颐康养老服务有限公司" : null,
            };
            ids[p] = (await s.PostAsync("/api/institutions", body, Department.CivilAffairs, Role.Officer))?["id"]?.GetValue<Guid>();
        }

        // Permits.
        var licensed = new DateOnly?[ClusterSize];
        for (var p = 0; p < ClusterSize; p++)
        {
            if (ids[p] is not { } inst) continue;
            var sh = shapes[p];
            var est = sh.EstablishedOn;
            if (sh.Kind == InstitutionKind.Medical)
            {
                var expires = est.AddYears(5);
                var permit = await Submit(s, inst, "medical-practice", est, expires, $"医执{cluster % Shapes:D4}{p}", Department.Health, est.AddDays(30));
                if (permit is { } pid)
                {
                    licensed[p] = est.AddDays(30);
                    DateOnly? revoked = r.NextDouble() < 0.03 ? est.AddYears(2 + r.Next(5)) : null;
                    while (expires <= Horizon && (revoked is null || expires < revoked))
                    {
                        var renewed = expires.AddYears(5);
                        await s.PostAsync($"/api/institutions/{inst}/permits/{pid}/renewal", new JsonObject { ["effectiveOn"] = D(expires.AddMonths(-1)), ["expiresOn"] = D(renewed), ["reason"] = "校验合格" }, Department.Health, Role.Officer);
                        expires = renewed;
                    }
                    if (revoked is { } rv && rv <= Horizon)
                        await s.PostAsync($"/api/institutions/{inst}/permits/{pid}/revocation", new JsonObject { ["effectiveOn"] = D(rv), ["reason"] = "吊销执业许可证" }, Department.Health, Role.Officer);
                }
                if (sh.Beds["elderlyCare"]!.GetValue<int>() > 0)
                    await Submit(s, inst, "elderly-care", Max(est, new(2019, 3, 1)).AddDays(r.Next(400)), null, null, Department.CivilAffairs, null);
            }
            else
            {
                var permit = await Submit(s, inst, "elderly-care", est, null, $"民养{cluster % Shapes:D4}{p}", Department.CivilAffairs, est.AddDays(60));
                if (permit is { } pid && r.NextDouble() < 0.02)
                    await s.PostAsync($"/api/institutions/{inst}/permits/{pid}/revocation", new JsonObject { ["effectiveOn"] = D(est.AddYears(3 + r.Next(4))), ["reason"] = "违规经营，撤销许可" }, Department.CivilAffairs, Role.Officer);
                if (r.NextDouble() < 0.15)
                {
                    var on = Min(est.AddDays(r.Next(5 * 365)), new(2025, 6, 1));
                    if (await Submit(s, inst, "internal-clinic", on, null, null, Department.Health, on.AddDays(45)) is not null) licensed[p] = on.AddDays(45);
                }
            }
            if (licensed[p] is { } since && r.NextDouble() < 0.3)
            {
                var on = Min(since.AddYears(1), new(2025, 9, 1));
                await Submit(s, inst, "insurance-designation", on, null, null, Department.MedicalInsurance, on.AddDays(40));
            }
            if (licensed[p] is { } since2 && r.NextDouble() < 0.05)
            {
                var on = Max(since2, new(2018, 6, 1)).AddDays(r.Next(600));
                await Submit(s, inst, "integrated-care-pilot", on, null, null, Department.Health, on.AddDays(60));
            }
        }

        // Agreements: ~80 % of care homes with one of the cluster's medical institutions.
        for (var p = 2; p < ClusterSize; p++)
        {
            var partner = p % 2;
            if (ids[p] is not { } home || ids[partner] is not { } medical || r.NextDouble() >= 0.8) continue;
            var from = Max(shapes[p].EstablishedOn, shapes[partner].EstablishedOn).AddDays(r.Next(700));
            var to = from.AddYears(3);
            var answer = await s.PostAsync("/api/partnerships", new JsonObject
            {
                ["kind"] = "care-medical", ["partyIds"] = new JsonArray(home.ToString(), medical.ToString()), ["services"] = CareServices(),
                ["validFrom"] = D(from), ["validTo"] = D(to),
            }, Department.Health, Role.Officer);
            if (answer?["id"]?.GetValue<Guid>() is not { } agreement) continue;
            if (r.NextDouble() < 0.05)
            {
                await s.PostAsync($"/api/partnerships/{agreement}/termination", new JsonObject { ["effectiveOn"] = D(from.AddDays(400)), ["reason"] = "合作医院搬迁" }, Department.Health, Role.Officer);
                continue;
            }
            while (to <= Horizon)
            {
                var next = to.AddYears(3);
                await s.PostAsync($"/api/partnerships/{agreement}/renewal", new JsonObject { ["effectiveOn"] = D(to.AddMonths(-1)), ["validTo"] = D(next) }, Department.Health, Role.Officer);
                to = next;
            }
        }

        // Bed changes.
        for (var p = 0; p < ClusterSize; p++)
        {
            if (ids[p] is not { } inst || r.NextDouble() >= 0.4) continue;
            var beds = (JsonObject)shapes[p].Beds.DeepClone();
            foreach (var key in beds.Select(kv => kv.Key).ToList())
                if (beds[key]!.GetValue<int>() > 0) beds[key] = beds[key]!.GetValue<int>() + 10 * r.Next(1, 6);
            var on = Min(shapes[p].EstablishedOn.AddYears(1 + r.Next(6)), new(2025, 12, 1));
            await s.PostAsync($"/api/institutions/{inst}/beds", new JsonObject { ["effectiveOn"] = D(on), ["beds"] = beds, ["reason"] = "扩建" }, Department.CivilAffairs, Role.Officer);
        }

        // Yearly inspections of the cluster, and spot checks.
        var present = Enumerable.Range(0, ClusterSize).Where(p => ids[p] is not null).ToArray();
        if (present.Length == 0) return;
        var firstYear = Math.Max(2016, present.Max(p => shapes[p].EstablishedOn.Year) + 1);
        for (var year = firstYear; year <= 2025; year++)
        {
            var joint = r.NextDouble() < 0.3;
            await Inspect(s, r, ids, present, year, joint ? "joint" : "annual-review",
                joint ? [Department.Health, Department.CivilAffairs] : [Department.CivilAffairs], year == 2025);
            if (r.NextDouble() < 0.4)
            {
                var some = present.OrderBy(_ => r.Next()).Take(2 + r.Next(2)).OrderBy(p => p).ToArray();
                await Inspect(s, r, ids, some, year, "spot-check", [Department.Health], year == 2025);
            }
        }
    }

    // Submits a permit; grants it when the regime in force made it an application. The permit id, or null.
    private static async Task<Guid?> Submit(ISender s, Guid inst, string type, DateOnly on, DateOnly? expires, string? number, Department department, DateOnly? grantOn)
    {
        var answer = await s.PostAsync($"/api/institutions/{inst}/permits", new JsonObject
        {
            ["type"] = type, ["number"] = number, ["effectiveOn"] = D(on), ["expiresOn"] = expires is { } e ? D(e) : null,
        }, department, Role.Officer);
        if (answer?["id"]?.GetValue<Guid>() is not { } pid) return null;
        if (answer["status"]?.GetValue<string>() == "pending")
        {
            var granted = await s.PostAsync($"/api/institutions/{inst}/permits/{pid}/decision", new JsonObject
            {
                ["decision"] = "granted", ["decidedOn"] = D(grantOn ?? on.AddDays(30)), ["number"] = number, ["expiresOn"] = expires is { } e2 ? D(e2) : null,
            }, department, Role.Officer);
            if (granted is null) return null;
        }
        return pid;
    }

    private static async Task Inspect(ISender s, Random r, Guid?[] ids, int[] positions, int year, string kind, Department[] departments, bool recent)
    {
        var opened = new DateOnly(year, 3 + r.Next(7), 1 + r.Next(28));
        var lead = departments[0];
        var inspectors = new JsonArray(departments.Select(d => (JsonNode)(d == Department.Health ? "王卫" + r.Next(100) : "李民" + r.Next(100))).ToArray());
        var answer = await s.PostAsync("/api/inspections", new JsonObject
        {
            ["kind"] = kind, ["institutionIds"] = new JsonArray(positions.Select(p => (JsonNode)ids[p]!.Value.ToString()).ToArray()),
            ["departments"] = new JsonArray(departments.Select(d => (JsonNode)Json.Wire(d)).ToArray()), ["inspectors"] = inspectors, ["openedOn"] = D(opened),
        }, lead, Role.Inspector);
        if (answer?["id"]?.GetValue<Guid>() is not { } inspection) return;

        var follow = new List<(Guid Institution, Guid Finding, string Severity, DateOnly? Due, int Points)>();
        foreach (var p in positions)
        {
            if (r.NextDouble() >= 0.5) continue;
            var x = r.NextDouble();
            var severity = x < 0.70 ? "minor" : x < 0.95 ? "major" : "critical";
            var points = severity switch { "minor" => 1 + r.Next(2), "major" => 3 + r.Next(4), _ => 6 + r.Next(7) };
            DateOnly? due = severity != "minor" || r.NextDouble() < 0.5 ? opened.AddDays(severity == "critical" ? 30 : 60) : null;
            var category = Categories[r.Next(Categories.Length)];
            var found = await s.PostAsync($"/api/inspections/{inspection}/findings", new JsonObject
            {
                ["institutionId"] = ids[p]!.Value.ToString(), ["category"] = category, ["severity"] = severity, ["demeritPoints"] = points,
                ["description"] = Descriptions[category], ["rectificationDue"] = due is { } d ? D(d) : null, ["foundOn"] = D(opened),
            }, lead, Role.Inspector);
            if (found?["findingId"]?.GetValue<Guid>() is { } finding) follow.Add((ids[p]!.Value, finding, severity, due, points));
        }
        await s.PostAsync($"/api/inspections/{inspection}/close", new JsonObject { ["closedOn"] = D(opened.AddDays(1 + r.Next(3))), ["summary"] = "检查结束，限期整改" }, lead, Role.Inspector);

        foreach (var (institution, finding, severity, due, points) in follow)
        {
            var url = $"/api/inspections/{inspection}/findings/{finding}";
            if (r.NextDouble() < 0.03)
            {
                await s.PostAsync($"{url}/dispute", new JsonObject { ["filedOn"] = D(opened.AddDays(5)), ["grounds"] = "检查认定事实有误" }, lead, Role.Inspector);
                var y = r.NextDouble();
                var outcome = y < 0.5 ? "upheld" : y < 0.75 ? "overturned" : "points-changed";
                await s.PostAsync($"{url}/dispute/decision", new JsonObject
                {
                    ["outcome"] = outcome, ["demeritPoints"] = outcome == "points-changed" ? Math.Max(0, points - 2) : null, ["basis"] = "复核意见", ["decidedOn"] = D(opened.AddDays(25)),
                }, lead, Role.Officer);
                if (outcome != "upheld") continue;
            }
            if (severity == "critical" && r.NextDouble() < 0.5)
                await s.PostAsync($"/api/institutions/{institution}/enforcement", new JsonObject
                {
                    ["action"] = "warning", ["basis"] = "严重问题，予以警告", ["effectiveOn"] = D(opened.AddDays(10)), ["findingId"] = finding.ToString(),
                }, Department.Health, Role.Officer);
            if (due is not { } dueOn || (recent && r.NextDouble() < 0.5) || r.NextDouble() < 0.1) continue; // left open: overdue
            var reported = dueOn.AddDays(-r.Next(20));
            await s.PostAsync($"{url}/rectification", new JsonObject { ["reportedOn"] = D(reported), ["note"] = "已整改" }, lead, Role.Inspector);
            if (r.NextDouble() < 0.12)
            {
                await s.PostAsync($"{url}/verification", new JsonObject { ["verifiedOn"] = D(reported.AddDays(5)), ["outcome"] = "rejected", ["note"] = "复查仍未整改到位" }, lead, Role.Inspector);
                reported = reported.AddDays(15);
                await s.PostAsync($"{url}/rectification", new JsonObject { ["reportedOn"] = D(reported), ["note"] = "再次整改" }, lead, Role.Inspector);
            }
            await s.PostAsync($"{url}/verification", new JsonObject { ["verifiedOn"] = D(reported.AddDays(5)), ["outcome"] = "accepted", ["note"] = "复查合格" }, lead, Role.Inspector);
        }
    }
}
