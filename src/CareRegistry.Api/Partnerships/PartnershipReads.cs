using CareRegistry.Common;
using CareRegistry.Institutions;
using JasperFx.Events.Projections;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Partnerships;

public record PartnershipView(Guid Id, string Kind, IReadOnlyList<Guid> PartyIds, IReadOnlyList<string> Services, DateOnly ValidFrom,
    DateOnly ValidTo, DateOnly? TerminatedOn, string? TerminationReason, string Status, long Version, DateOnly AsOf)
{
    public static PartnershipView From(Partnership p, DateOnly day) => new(p.Id, Json.Wire(p.Kind), p.PartyIds, p.Services.Select(Json.Wire).ToList(),
        p.ValidFrom, p.ValidToOn(day), p.TerminatedOn is { } t && t <= day ? t : null, p.TerminatedOn is { } t2 && t2 <= day ? p.TerminationReason : null,
        p.StatusOn(day), p.Version, day);
}

public record ActivePartner(Guid PartnershipId, string Kind, Guid PartnerId, IReadOnlyList<string> Services, DateOnly ValidTo);

public static class PartnershipsConfiguration
{
    public static StoreOptions ConfigurePartnerships(this StoreOptions opts)
    {
        opts.Projections.Add(new PartnershipSnapshot(), ProjectionLifecycle.Inline);
        opts.Schema.For<Partnership>().GinIndexJsonData();
        return opts;
    }

    public static async Task<IReadOnlyList<Partnership>> OfInstitutionAsync(IQuerySession session, Guid institutionId, DateTimeOffset? recordedAsOf, CancellationToken ct)
    {
        var current = await session.Query<Partnership>().Where(p => p.PartyIds.Contains(institutionId)).ToListAsync(ct);
        return await AsRecorded.AtAsync(session, current, p => p.Id, recordedAsOf, ct);
    }

    public static IReadOnlyList<ActivePartner> ActiveFor(Guid institutionId, IEnumerable<Partnership> partnerships, DateOnly day) =>
        partnerships.Where(p => p.IsActiveOn(day))
            .Select(p => new ActivePartner(p.Id, Json.Wire(p.Kind), p.PartnerOf(institutionId), p.Services.Select(Json.Wire).ToList(), p.ValidToOn(day)))
            .ToList();
}

public static class PartnershipReadEndpoints
{
    [WolverineGet("/api/partnerships/{id}"), Tags("Partnerships")]
    [ProducesResponseType<PartnershipView>(200)]
    public static async Task<IResult> Get(Guid id, string? asOf, string? recordedAsOf, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        if (!v.IsValid) return Results.Problem(v.ToProblem());
        var found = recorded is null
            ? await session.LoadAsync<Partnership>(id, ct)
            : await session.Events.AggregateStreamAsync<Partnership>(id, timestamp: recorded, token: ct);
        if (found is not { } p) return Results.Problem(Problems.NotFound($"no partnership {id}"));
        http.Response.Headers.ETag = Concurrency.ETag(p.Version);
        return Results.Json(PartnershipView.From(p, day), Json.Options);
    }

    [WolverineGet("/api/partnerships"), Tags("Partnerships")]
    [ProducesResponseType<Page<PartnershipView>>(200)]
    public static async Task<IResult> List(string? institutionId, string? jurisdiction, string? activeOn, string? asOf, string? recordedAsOf, string? cursor, string? limit,
        IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().Check("jurisdiction", Division.PrefixProblem(jurisdiction));
        Guid? institution = null;
        if (!string.IsNullOrEmpty(institutionId)) { if (Guid.TryParse(institutionId, out var g)) institution = g; else v.Add("institutionId", "must be a UUID"); }
        var active = ReadParameters.Date(v, "activeOn", activeOn);
        var statusDay = ReadParameters.AsOf(v, asOf);
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        var take = ReadParameters.Limit(v, limit);
        var after = ReadParameters.IdCursor(v, cursor);
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        IQueryable<Partnership> query = session.Query<Partnership>();
        if (institution is { } i) query = query.Where(x => x.PartyIds.Contains(i));
        var prefix = Division.NormalizePrefix(jurisdiction);
        if (prefix.Length > 0)
        {
            var ids = (await session.Query<Institution>().Where(x => x.Jurisdiction.StartsWith(prefix)).Select(x => x.Id).ToListAsync(ct)).ToArray();
            query = query.Where(x => x.PartyIds.Any(id => ids.Contains(id)));
        }
        if (after is { } c) query = query.Where(x => x.MatchesSql("d.id > ?", c));
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

public sealed class PartnershipSnapshot : Common.RetractableSnapshot<Partnership>
{
    protected override Partnership? Evolve(Partnership? state, object @event) => Partnership.Next(state, @event);
}
