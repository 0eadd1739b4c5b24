using System.Text.Json;
using System.Text.Json.Nodes;
using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;

namespace CareRegistry.Contract;

// One request example per command, written as the typed command so that a renamed or retyped field breaks the build,
// not the document. The linters check each example against its schema.
public static class Examples
{
    private static readonly DateOnly On = new(2024, 3, 1);
    private static readonly Guid Institution = Guid.Parse("0191f3a2-7c4e-7d1a-9b2c-3e4f5a6b7c8d");
    private static readonly Guid Hospital = Guid.Parse("0191f3a2-8d5f-7e2b-8c3d-4f5a6b7c8d9e");
    private static readonly string ExampleUscc = "52530112MJY000001" + Common.Uscc.CheckCharacter("52530112MJY000001");
    private static readonly Guid Stream = Guid.Parse("0191f3a2-9e6a-7f3c-9d4e-5a6b7c8d9eaf");

    private static readonly Dictionary<Type, object> ByType = new()
    {
        [typeof(RegisterInstitution)] = new RegisterInstitution("西山区康乐养老院", "Xishan Kangle Care Home", ExampleUscc, InstitutionKind.ElderlyCare, null, null,
            Ownership.Private, "530112", "云南省昆明市西山区前卫街道康乐路18号", new BedsInput(ElderlyCare: 120, Nursing: 30), "昆明康乐养老服务有限公司", null, new DateOnly(2018, 5, 1),
            new LocationInput(25.0386, 102.6644, Approximate: true)),
        [typeof(RegisterInstitutions)] = new RegisterInstitutions([new RegisterInstitution("西山区碧鸡社区养老服务站", null, "52530112MJY000002" + Common.Uscc.CheckCharacter("52530112MJY000002"),
            InstitutionKind.CommunityCareStation, null, null, Ownership.Public, "530112", "云南省昆明市西山区碧鸡街道", new BedsInput(), null, null, new DateOnly(2020, 3, 1))]),
        [typeof(ChangeInstitutionDetails)] = new ChangeInstitutionDetails("西山区康乐颐养中心", null, "云南省昆明市西山区前卫街道康乐路20号", null, On, "更名并迁址",
            new LocationInput(25.0201, 102.6951)),
        [typeof(Designations.RecordDesignation)] = new Designations.RecordDesignation(Designations.Programme.RemoteCarePilot, Designations.DesignationLevel.National,
            "国家卫生健康委", On, null, "全国首批医养结合远程协同服务试点机构"),
        [typeof(RecordRating)] = new RecordRating(RatingScheme.CareHomeGrade, 3, null, On, new DateOnly(2027, 12, 31), "昆明市养老机构等级评定结果"),
        [typeof(ReportOccupancy)] = new ReportOccupancy(96, On, "2024年第二季度统计报表"),
        [typeof(RecordService)] = new RecordService(CareService.HomeSickbeds, true, On, "家庭病床服务备案"),
        [typeof(ReportStaff)] = new ReportStaff(2, 3, 24, 18, On, "2024年人员配置报表"),
        [typeof(ChangeBeds)] = new ChangeBeds(On, new BedsInput(ElderlyCare: 150, Nursing: 30), "新楼启用"),
        [typeof(CloseInstitution)] = new CloseInstitution(On, "举办者申请终止服务，老人已妥善安置"),
        [typeof(ChangeOperator)] = new ChangeOperator("云南康养服务集团有限公司", On, "西山区民政局公建民营委托运营协议（西民发〔2024〕12号）"),
        [typeof(RecordEnforcement)] = new RecordEnforcement(EnforcementAction.Fine, null, 20000m, "《养老机构管理办法》第四十六条：消防设施未按规定维护", On, null),
        [typeof(SubmitPermit)] = new SubmitPermit(PermitType.ElderlyCare, "530112-YL-2024-001", On, null, "养老服务：全护理、半护理、自理"),
        [typeof(DecideApplication)] = new DecideApplication(Decision.Granted, On, null, "PDY12345653011217A1002", new DateOnly(2029, 2, 28)),
        [typeof(RenewPermit)] = new RenewPermit(On, new DateOnly(2029, 2, 28), "到期换证"),
        [typeof(SuspendPermit)] = new SuspendPermit(On, "整改期间暂停执业"),
        [typeof(ReinstatePermit)] = new ReinstatePermit(On, "整改完成，经复查合格"),
        [typeof(RevokePermit)] = new RevokePermit(On, "以欺骗手段取得许可"),
        [typeof(RequestFilingCorrection)] = new RequestFilingCorrection(On, new DateOnly(2024, 3, 31), "备案材料缺少消防验收意见"),
        [typeof(CorrectFiling)] = new CorrectFiling(On, "已补交消防验收意见书"),
        [typeof(CancelFiling)] = new CancelFiling(On, "逾期未补正备案材料"),
        [typeof(RecordRegime)] = new RecordRegime(PermitType.ElderlyCare, Regime.Filing, new DateOnly(2018, 12, 29), "《中华人民共和国老年人权益保障法》2018年修正", PendingApplications.Convert),
        [typeof(RecordPopulation)] = new RecordPopulation(182_300, 131_000, 24_500, new DateOnly(2023, 12, 31), "西山区2023年老龄事业发展统计公报"),
        [typeof(SetDemeritThreshold)] = new SetDemeritThreshold(10, On, "云南省卫生健康委员会医疗机构不良执业行为记分管理办法"),
        [typeof(OpenInspection)] = new OpenInspection(InspectionKind.Joint, [Institution], [Department.CivilAffairs, Department.Health], ["王检查", "李监督"], On),
        [typeof(RecordFinding)] = new RecordFinding(Institution, FindingCategory.FireSafety, Severity.Major, 4, "三楼疏散通道堆放杂物，应急照明失效", new DateOnly(2024, 3, 15), On),
        [typeof(CloseInspection)] = new CloseInspection(On, "联合检查完成，发现问题2项，已下达整改通知"),
        [typeof(ReportRectification)] = new ReportRectification(On, "已清理疏散通道并更换应急照明"),
        [typeof(VerifyRectification)] = new VerifyRectification(On, VerificationOutcome.Accepted, "现场复查合格"),
        [typeof(DisputeFinding)] = new DisputeFinding(On, "应急照明当日已在维修中，有维修记录为证"),
        [typeof(DecideDispute)] = new DecideDispute(DisputeOutcome.PointsChanged, 2, "维修记录属实，酌情减少记分", On),
        [typeof(SignPartnership)] = new SignPartnership(PartnershipKind.CareMedical, [Institution, Hospital],
            [PartnershipService.HealthGuidance, PartnershipService.EmergencyCare, PartnershipService.TwoWayReferral], On, new DateOnly(2027, 2, 28)),
        [typeof(RenewPartnership)] = new RenewPartnership(On, new DateOnly(2030, 2, 28)),
        [typeof(TerminatePartnership)] = new TerminatePartnership(On, "合作医院迁址，双方协商终止"),
        [typeof(RetractEntry)] = new RetractEntry(Stream, 3, "床位数录入错误，应为150张"),
    };

    public static JsonNode? For(Type command) =>
        ByType.TryGetValue(command, out var example) ? JsonSerializer.SerializeToNode(example, command, Json.Options) : null;
}
