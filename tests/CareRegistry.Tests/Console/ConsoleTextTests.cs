using System.Globalization;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using CareRegistry.WebConsole;
using Microsoft.Extensions.Logging.Abstractions;

namespace CareRegistry.Tests.Console;

// Every value the API can send has its words in both languages, so no page shows a bare wire value.
public sealed class ConsoleTextTests
{
    private static readonly ConsoleText Text = new(NullLoggerFactory.Instance);

    public static TheoryData<string> Values()
    {
        var data = new TheoryData<string>();
        void Add<T>(string group) where T : struct, Enum { foreach (var v in Enum.GetValues<T>()) data.Add($"{group}.{Json.Wire(v)}"); }
        Add<Department>("department");
        Add<Role>("role");
        Add<InstitutionKind>("kind");
        Add<MedicalSubtype>("subtype");
        Add<Ownership>("ownership");
        Add<PermitType>("permit-type");
        Add<PermitStatus>("permit-status");
        Add<Regime>("regime");
        Add<PendingApplications>("pending-applications");
        Add<Decision>("decision");
        Add<InspectionKind>("inspection-kind");
        Add<FindingCategory>("category");
        Add<Severity>("severity");
        Add<VerificationOutcome>("outcome");
        Add<DisputeOutcome>("dispute-outcome");
        Add<PartnershipKind>("partnership-kind");
        Add<PartnershipService>("service");
        Add<EnforcementAction>("action");
        Add<CareRegistry.Designations.Programme>("programme");
        Add<CareRegistry.Designations.DesignationLevel>("designation-level");
        Add<CareService>("care-service");
        Add<RatingScheme>("rating-scheme");
        Add<HospitalClass>("hospital-class");
        foreach (var alert in AlertTypes.All) data.Add($"alert.{alert}");
        foreach (var type in typeof(IRegistryEvent).Assembly.GetTypes().Where(t => typeof(IRegistryEvent).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface))
            data.Add($"event.{HistoryEntry.EventType(type)}");
        return data;
    }

    [Theory, MemberData(nameof(Values))]
    public void Has_words_in_Chinese_and_English(string key)
    {
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo("zh-CN");
            Assert.True(Text.Has(key), $"no Chinese resource for {key}");
            var chinese = Text[key];
            Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", chinese);
            CultureInfo.CurrentUICulture = new CultureInfo("en");
            Assert.NotEqual(chinese, Text[key]);
        }
        finally { CultureInfo.CurrentUICulture = before; }
    }
}
