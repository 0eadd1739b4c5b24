using System.Net;
using CareRegistry.Common;
using CareRegistry.Institutions;

namespace CareRegistry.Tests.Infrastructure;

// Builds test state through the API, the way a user would.
public static class Scenario
{
    private static int _serial;

    // A valid, unique USCC for a test institution in the given district.
    public static string NewUscc(string jurisdiction = "530111")
    {
        var first17 = "52" + jurisdiction + "TE" + Interlocked.Increment(ref _serial).ToString("D7");
        return first17 + Uscc.CheckCharacter(first17);
    }

    public static RegisterInstitution CareHome(string name = "测试养老院", string jurisdiction = "530111", string? uscc = null,
        DateOnly? establishedOn = null, Guid? predecessorId = null) =>
        new(name, "Test Care Home", uscc ?? NewUscc(jurisdiction), InstitutionKind.ElderlyCare, null, null, Ownership.Private,
            jurisdiction, "昆明市官渡区测试路1号", new BedsInput(ElderlyCare: 100, Nursing: 20), null, predecessorId,
            establishedOn ?? new DateOnly(2015, 1, 1));

    public static RegisterInstitution Hospital(string name = "测试医院", string jurisdiction = "530111") =>
        new(name, "Test Hospital", NewUscc(jurisdiction), InstitutionKind.Medical, MedicalSubtype.GeneralHospital, 2, Ownership.Public,
            jurisdiction, "昆明市官渡区测试路2号", new BedsInput(Medical: 300), null, null, new DateOnly(2000, 1, 1));

    public static async Task<Guid> Register(this HttpClient client, RegisterInstitution command) =>
        (await client.Post("/api/institutions", command)).ShouldBe(HttpStatusCode.Created).Id;
}

public static class PermitScenario
{
    public static async Task<Answer> Submit(this HttpClient client, Guid institution, CareRegistry.Permits.PermitType type, DateOnly on, DateOnly? expiresOn = null) =>
        await client.Post($"/api/institutions/{institution}/permits", new CareRegistry.Permits.SubmitPermit(type, null, on, expiresOn, null));

    public static async Task<Answer> Regime(this HttpClient client, string code, CareRegistry.Permits.PermitType type, CareRegistry.Permits.Regime regime,
        DateOnly on, CareRegistry.Jurisdictions.PendingApplications pending = CareRegistry.Jurisdictions.PendingApplications.Keep) =>
        (await client.Post($"/api/jurisdictions/{code}/regimes", new CareRegistry.Jurisdictions.RecordRegime(type, regime, on, $"doc {code} {on}", pending)))
        .ShouldBe(System.Net.HttpStatusCode.OK);

    public static Task<Answer> Grant(this HttpClient client, Guid institution, Guid permit, DateOnly on, DateOnly? expiresOn = null) =>
        client.Post($"/api/institutions/{institution}/permits/{permit}/decision",
            new CareRegistry.Permits.DecideApplication(CareRegistry.Permits.Decision.Granted, on, null, null, expiresOn));
}
