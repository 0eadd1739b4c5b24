using CareRegistry.Localization;
using CareRegistry.Access;
using Wolverine.Attributes;
using CareRegistry.Common;
using CareRegistry.Institutions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Partnerships;

public static class ListPartnershipsEndpoint
{
    [WolverineBefore]
    public static AccessSubject Concerns(string? jurisdiction) => AccessSubject.ReadingIn(jurisdiction);

    [WolverineGet("/api/partnerships"), Tags("Partnerships")]
    [ProducesResponseType<Page<PartnershipView>>(200)]
    public static async Task<IResult> List(string? institutionId, string? jurisdiction, string? activeOn, string? asOf, string? recordedAsOf, string? cursor, string? limit,
        IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        jurisdiction = AccessGate.ReadPrefix(http, jurisdiction);
        var v = new Validation().Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        Guid? institution = null;
        if (!string.IsNullOrEmpty(institutionId)) { if (Guid.TryParse(institutionId, out var g)) institution = g; else v.Add("institutionId", L.T("must be a UUID")); }
        var active = ReadParameters.Date(v, "activeOn", activeOn);
        var statusDay = ReadParameters.AsOf(v, asOf);
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        var take = ReadParameters.Limit(v, limit);
        var after = ReadParameters.IdCursor(v, cursor);
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        IQueryable<Partnership> query = session.Query<Partnership>();
        if (institution is { } i) query = query.WhereSql(PartnershipsConfiguration.OfInstitution(i));
        var prefix = Division.NormalizePrefix(jurisdiction);
        if (prefix.Length > 0)
        {
            var ids = (await session.Query<Institution>().Where(x => x.Jurisdiction.StartsWith(prefix)).Select(x => x.Id).ToListAsync(ct)).ToArray();
            query = query.Where(x => x.PartyIds.Any(id => ids.Contains(id)));
        }
        var day = active ?? statusDay ?? clock.Today();
        // activeOn is checked in memory: a partnership's validity is a short effective-dated list. As recorded by an
        // instant, each one is folded up to it first (one short stream each). The documents come a page at a time, in
        // id order from the cursor on, larger each time the filters leave the page short: a query streamed and broken
        // off when the page was full had Npgsql read every remaining agreement to the end of the result (about 150 ms
        // at 33,000 agreements, whatever the limit).
        var rows = new List<Partnership>();
        var more = false;
        var from = after;
        for (var size = take + 1; !more; size = Math.Min(size * 4, 2000))
        {
            var page = from is { } c ? query.WhereSql("d.id > ?", c) : query;
            var batch = await page.OrderBy(x => x.Id).Take(size).ToListAsync(ct);
            foreach (var current in batch)
            {
                from = current.Id;
                var p = recorded is null ? current : await session.Events.AggregateStreamAsync<Partnership>(current.Id, timestamp: recorded, token: ct);
                if (p is null) continue;
                if (active is not null && !p.IsActiveOn(day)) continue;
                if (rows.Count == take) { more = true; break; }
                rows.Add(p);
            }
            if (batch.Count < size) break;
        }
        var next = more ? ReadParameters.EncodeCursor(rows[^1].Id.ToString()) : null;
        return Results.Json(new Page<PartnershipView>(rows.Select(p => PartnershipView.From(p, day)).ToList(), next), Json.Options);
    }
}
