using CareRegistry.Disclosure;
using CareRegistry.Institutions;
using CareRegistry.Statistics;

namespace CareRegistry.Spreadsheets;

// The columns of every download, Chinese headers first (what an official filing the table reads), in one place so
// the lists read alike. Codes (kind, status, alert type) stay the wire values the JSON carries.
public static class Sheets
{
    public static readonly Column<InstitutionSummary>[] Institutions =
    [
        new("机构名称", i => i.Name), new("英文名称", i => i.LatinName), new("统一社会信用代码", i => i.Uscc), new("机构类型", i => i.Kind),
        new("医疗机构类别", i => i.MedicalSubtype), new("等级", i => i.Grade), new("所有制", i => i.Ownership), new("行政区划代码", i => i.Jurisdiction),
        new("床位总数", i => i.TotalBeds), new("状态", i => i.Status), new("机构ID", i => i.Id),
    ];

    public static Column<MonitoringFigure>[] Monitoring(MonitoringTable table) =>
    [
        new("行政区划代码", _ => table.Jurisdiction), new("统计日期", _ => table.AsOf), new("指标代码", f => f.Key), new("指标名称", f => f.Title),
        new("数值", f => f.Value), new("分子", f => f.Numerator), new("分母", f => f.Denominator), new("说明", f => f.Note),
        new("机构ID", f => f.InstitutionIds is null ? null : string.Join(' ', f.InstitutionIds)),
        // Empty when every figure is as projected; else when the oldest district figures summed were computed (under writes).
        new("数据计算时间", _ => table.FiguresAsOf),
    ];

    public static readonly Column<AlertView>[] Alerts =
    [
        new("预警类型", a => a.Type), new("机构名称", a => a.InstitutionName), new("统一社会信用代码", a => a.Uscc), new("行政区划代码", a => a.Jurisdiction),
        new("应办部门", a => a.Department), new("到期日", a => a.DueOn), new("预警起始日", a => a.Since), new("说明", a => a.Detail),
        new("许可ID", a => a.PermitId), new("问题ID", a => a.FindingId), new("检查ID", a => a.InspectionId), new("机构ID", a => a.InstitutionId),
        new("预警ID", a => a.Id),
    ];

    public static readonly Column<PublicInstitution>[] PublicInstitutions =
    [
        new("机构名称", i => i.Name), new("英文名称", i => i.LatinName), new("统一社会信用代码", i => i.Uscc), new("机构类型", i => i.Kind),
        new("医疗机构类别", i => i.MedicalSubtype), new("等级", i => i.Grade), new("所有制", i => i.Ownership), new("运营方", i => i.Operator),
        new("行政区划代码", i => i.Jurisdiction), new("地址", i => i.Address), new("养老床位", i => i.Beds.ElderlyCare), new("医疗床位", i => i.Beds.Medical),
        new("护理床位", i => i.Beds.Nursing), new("康复床位", i => i.Beds.Rehabilitation), new("安宁疗护床位", i => i.Beds.Hospice),
        new("床位总数", i => i.TotalBeds), new("许可类型", i => i.PermitType), new("许可方式", i => i.Regime), new("许可编号", i => i.PermitNumber),
        new("生效日期", i => i.InForceSince), new("有效期至", i => i.ExpiresOn), new("机构ID", i => i.Id),
    ];

    public static readonly Column<PublicEnforcementDecision>[] EnforcementDecisions =
    [
        new("机构名称", d => d.InstitutionName), new("统一社会信用代码", d => d.Uscc), new("行政区划代码", d => d.Jurisdiction),
        new("处罚类型", d => d.Action), new("许可类型", d => d.PermitType), new("罚款金额（元）", d => d.Amount), new("处罚依据", d => d.Basis),
        new("决定日期", d => d.DecidedOn), new("公示截止日期", d => d.PublicUntil), new("决定部门", d => d.Department), new("记录ID", d => d.Id),
    ];
}
