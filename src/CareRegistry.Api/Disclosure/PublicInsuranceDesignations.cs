using CareRegistry.Permits;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace CareRegistry.Disclosure;

public static class PublicInsuranceDesignationsEndpoint
{
    // 公示: medical-insurance designated institutions (医保定点) whose designation is in force today.
    [WolverineGet("/public/insurance-designated"), Tags("Public")]
    [ProducesResponseType<CareRegistry.Common.Page<PublicInstitution>>(200)]
    [Produces("application/json", "text/csv", Spreadsheets.Tabular.XlsxType)]
    public static Task<IResult> List(string? q, string? jurisdiction, string? cursor, string? limit, string? format,
        IQuerySession session, NpgsqlDataSource database, UnpreparedConnections unprepared, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        PublicPermitHolders.ListAsync(PermitType.InsuranceDesignation, q, jurisdiction, cursor, limit, format, session, database, unprepared, clock, http, ct);
}
