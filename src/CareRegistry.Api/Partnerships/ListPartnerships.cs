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
        if (after is { } c) query = query.WhereSql("d.id > ?", c);
        var day = active ?? statusDay ?? clock.Today();
        // activeOn is checked in memory: a partnership's validity is a short effective-dated list. As recorded by an
        // instant, each one is folded up to it first (one short stream each).
        var rows = new List<Partnership>();
        var more = false;
        await foreach (var current in query.OrderBy(x => x.Id).ToAsyncEnumerable(ct))
        {
            var p = recorded is null ? current : await session.Events.AggregateStreamAsync<Partnership>(current.Id, timestamp: recorded, token: ct);
            if (p is null) continue;
            if (active is not null && !p.IsActiveOn(day)) continue;
            if (rows.Count == take) { more = true; break; }
            rows.Add(p);
        }
        var next = more ? ReadParameters.EncodeCursor(rows[^1].Id.ToString()) : null;
        return Results.Json(new Page<PartnershipView>(rows.Select(p => PartnershipView.From(p, day)).ToList(), next), Json.Options);
    }
}
