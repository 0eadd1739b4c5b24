using System.Text.Json.Nodes;

namespace CareRegistry.WebConsole;

// A history entry in the reader's language. The API's summary is English; in Chinese the entry is told from its
// data with the resource words (permit type, regime, severity...), and the free text officers wrote (reasons, bases,
// descriptions) is shown as written.
public static class HistoryText
{
    public static string Summary(ConsoleText t, JsonNode entry)
    {
        if (!ConsoleText.IsChinese) return entry.Str("summary") ?? "";
        var d = entry["data"] ?? new JsonObject();
        var type = entry.Str("type");
        string? Free(params string[] names) => names.Select(n => d.Str(n)).FirstOrDefault(s => !string.IsNullOrEmpty(s));
        string With(string head, string? free) => string.IsNullOrEmpty(free) ? head : $"{head}：{free}";
        return type switch
        {
            "institution-registered" => $"登记 {d.Str("name")}（{t.Enum("kind", d.Str("kind"))}），{Session.DivisionName(t, d.Str("jurisdiction"))}，统一社会信用代码 {d.Str("uscc")}",
            "institution-beds-changed" => With($"床位变更为 {d["beds"].Num("total")} 张", Free("reason")),
            "institution-operator-changed" => With($"运营方变更为 {d.Str("operator")}", Free("basis")),
            "institution-closed" => With("机构关闭", Free("reason")),
            "institution-warned" => With("警告", Free("basis")),
            "institution-fined" => With($"罚款 {d.Str("amount")} 元", Free("basis")),
            "permit-application-submitted" or "permit-filed" =>
                $"{t.Enum("permit-type", d.Str("type"))}：{t.Enum("event", type)}，{t.Enum("department", d.Str("department"))}（{t.Enum("regime", d.Str("regime") ?? (type == "permit-filed" ? "filing" : "approval"))}）{(d.Str("number") is { } n ? "，编号 " + n : "")}",
            "permit-granted" => "批准" + (d.Str("expiresOn") is { } x ? $"，有效期至 {x}" : ""),
            "permit-refused" => With("不予批准", Free("reason")),
            "permit-renewed" => With($"延续至 {d.Str("expiresOn")}", Free("reason")),
            "permit-suspended" => With("暂停", Free("reason", "enforcementBasis")),
            "permit-reinstated" => With("恢复", Free("reason")),
            "permit-revoked" => With("吊销", Free("reason", "enforcementBasis")),
            "filing-correction-requested" => With($"责令补正，期限 {d.Str("dueOn")}", Free("reason")),
            "filing-corrected" => With("已补正", Free("note", "reason")),
            "filing-cancelled" => With("备案注销", Free("reason")),
            "pending-application-converted-to-filing" => With("审批申请依改革转为备案", Free("basis")),
            "inspection-opened" => $"{t.Enum("inspection-kind", d.Str("kind"))}（{string.Join("、", d.Items("departments").Select(x => t.Enum("department", x.ToString())))}）",
            "finding-recorded" => With($"{t.Enum("category", d.Str("category"))}，{t.Enum("severity", d.Str("severity"))}，记 {d.Num("demeritPoints")} 分" + (d.Str("rectificationDue") is { } due ? $"，限 {due} 前整改" : ""), Free("description")),
            "inspection-closed" => With("检查结束", Free("summary")),
            "rectification-reported" => With("报告整改", Free("note")),
            "rectification-verified" => With($"整改复核：{t.Enum("outcome", d.Str("outcome"))}", Free("note")),
            "finding-disputed" => With("提出异议", Free("grounds", "reason")),
            "dispute-decided" => With($"异议处理：{t.Enum("dispute-outcome", d.Str("outcome"))}" + (d.Num("demeritPoints") is { } p ? $"，记 {p} 分" : ""), Free("basis")),
            "partnership-signed" or "partnership-renewed" =>
                $"{t.Enum("event", type)}（{t.Enum("partnership-kind", d.Str("kind"))}）" + (d.Str("validTo") is { } to ? $"，至 {to}" : ""),
            "partnership-terminated" => With("终止合作", Free("reason")),
            "institution-designated" or "jurisdiction-designated" =>
                With($"{Designation(t, d.Str("level"), d.Str("programme"))}，{d.Str("designatedBy")}认定，自 {d.Str("effectiveOn")} 起" + (d.Str("validTo") is { } dto ? $"至 {dto}" : ""), Free("basis")),
            "institution-staff-reported" =>
                With($"人员配置自 {d.Str("effectiveOn")} 起：医生 {d.Num("doctors")} 名，护士 {d.Num("nurses")} 名，养老护理员 {d.Num("careWorkers")} 名（持证 {d.Num("certifiedCareWorkers")} 名）", Free("source")),
            "institution-service-changed" =>
                With($"自 {d.Str("effectiveOn")} 起{(d["offered"]?.GetValue<bool>() == false ? "停止提供" : "提供")}{t.Enum("care-service", d.Str("service"))}", Free("basis")),
            "institution-rated" =>
                With($"{t.Enum("rating-scheme", d.Str("scheme"))}：{Grade(t, d.Str("scheme"), d.Num("level"), d.Str("class"))}，自 {d.Str("effectiveOn")} 起" + (d.Str("validTo") is { } rto ? $"至 {rto}" : ""), Free("basis")),
            "institution-occupancy-reported" => With($"自 {d.Str("effectiveOn")} 起入住 {d.Num("residents")} 人", Free("source")),
            "entry-retracted" => With("撤回一条记录", Free("reason")),
            _ => entry.Str("summary") ?? t.Enum("event", type),
        };
    }

    // 国家级医养结合试点: the level, then the programme.
    public static string Designation(ConsoleText t, string? level, string? programme) => $"{t.Enum("designation-level", level)}{t.Enum("programme", programme)}";

    // A rating's grade as the departments write it: 三级甲等 for a hospital, 三级 for a care home (Level 3, class A in English).
    public static string Grade(ConsoleText t, string? scheme, long? level, string? hospitalClass)
    {
        if (level is not { } n) return "";
        if (!ConsoleText.IsChinese)
            return t[scheme == "hospital-grade" ? "grade-level.hospital" : "grade-level.care-home", n] + (hospitalClass is null ? "" : ", " + t.Enum("hospital-class", hospitalClass));
        var numeral = n is >= 1 and <= 5 ? "一二三四五"[(int)n - 1].ToString() : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{numeral}级{(hospitalClass is null ? "" : t.Enum("hospital-class", hospitalClass))}";
    }
}
