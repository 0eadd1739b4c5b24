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
