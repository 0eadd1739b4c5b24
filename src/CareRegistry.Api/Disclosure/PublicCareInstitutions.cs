using CareRegistry.Permits;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace CareRegistry.Disclosure;

public static class PublicCareInstitutionsEndpoint
{
    // 公示: elderly-care institutions (and hospitals with care beds) whose elderly-care filing or licence is in force
    // today, with their beds and grade. Anonymous, cached, rate-limited (PublicRateLimit).
    [WolverineGet("/public/care-institutions"), Tags("Public")]
    [ProducesResponseType<CareRegistry.Common.Page<PublicInstitution>>(200)]
    [Produces("application/json", "text/csv", Spreadsheets.Tabular.XlsxType)]
    public static Task<IResult> List(string? q, string? jurisdiction, string? cursor, string? limit, string? format,
        IQuerySession session, NpgsqlDataSource database, UnpreparedConnections unprepared, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        PublicPermitHolders.ListAsync(PermitType.ElderlyCare, q, jurisdiction, cursor, limit, format, session, database, unprepared, clock, http, ct);
}
