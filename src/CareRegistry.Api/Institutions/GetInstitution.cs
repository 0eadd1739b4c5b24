using CareRegistry.Localization;
using Wolverine.Attributes;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Institutions;

public record InstitutionView(
    Guid Id,
    string Name,
    string? LatinName,
    string Uscc,
    string Kind,
    string? MedicalSubtype,
    int? Grade,
    string Ownership,
    string Jurisdiction,
    string Address,
    Coordinates? Location,
    Beds Beds,
    string? Operator,
    string Status,
    DateOnly EstablishedOn,
    DateOnly? ClosedOn,
    string? ClosureReason,
    Guid? PredecessorId,
    IReadOnlyList<Guid> SuccessorIds,
    IReadOnlyList<PermitView> Permits,
    bool Integrated,
    string? IntegratedModel,
    IReadOnlyList<ActivePartner> ActivePartnerships,
    IReadOnlyList<InspectionSummary> Inspections,
    IReadOnlyList<OpenRectification> OpenRectifications,
    int DemeritPoints,
    IReadOnlyList<string> Alerts,
    IReadOnlyList<Designations.Designation> Designations,
    StaffReport? Staff,
    IReadOnlyList<string> Services,
    IReadOnlyList<Rating> Ratings,
    OccupancyReport? Occupancy,
    long Version,
    DateOnly AsOf,
    DateTimeOffset? RecordedAsOf)
{
    public static InstitutionView From(Institution i, IReadOnlyList<Guid> successors, IReadOnlyList<Permit> permits,
        IReadOnlyList<Partnership> partnerships, Supervision supervision, IReadOnlyList<string> alerts,
        long version, DateOnly asOf, DateTimeOffset? recordedAsOf) => new(
        i.Id, i.Name, i.LatinName, i.Uscc, Json.Wire(i.Kind), i.MedicalSubtype is { } m ? Json.Wire(m) : null, i.GradeOn(asOf),
        Json.Wire(i.Ownership), i.Jurisdiction, i.Address, i.Location, i.Beds, i.Operator,
        i.StatusOn(asOf), i.EstablishedOn, i.ClosedOn, i.ClosureReason, i.PredecessorId, successors,
        permits.OrderBy(p => p.SubmittedOn).Select(p => PermitView.From(p, asOf)).ToList(),
        Integration.IsIntegrated(permits, asOf), Integration.IsIntegrated(permits, asOf) ? Integration.Model(i) : null,
        PartnershipsConfiguration.ActiveFor(i.Id, partnerships, asOf), supervision.Inspections, supervision.OpenRectifications, supervision.DemeritPoints, alerts,
        (i.Designations ?? []).Where(d => d.IsInForceOn(asOf)).ToList(), i.StaffOn(asOf), i.ServicesOn(asOf).Select(s => Json.Wire(s)).ToList(),
        (i.Ratings ?? []).Where(r => r.IsInForceOn(asOf)).ToList(), i.OccupancyOn(asOf), version, asOf, recordedAsOf);
}

// Everything GET /api/institutions/{id} reads, fetched in one round trip (GetInstitutionEndpoint.LoadAsync).
public sealed record InstitutionReading(Institution? Current, IReadOnlyList<IEvent> Events, IReadOnlyList<Guid> Successors,
    IReadOnlyList<Permit> Permits, IReadOnlyList<Inspection> Inspections, IReadOnlyList<Partnership> Partnerships,
    IReadOnlyList<Jurisdictions.Jurisdiction> Levels);

public static class GetInstitutionEndpoint
{
    // The jurisdiction documents of the institution's district, its city, its province and the nation, found by their
    // codes from the institution's row in the same statement batch (RegimeBook.StreamIdsFor's levels, in SQL).
    private static readonly string LevelsOfInstitution =
        $"where {Jurisdictions.Jurisdiction.CodeSql} in (select code from mt_doc_institution i, "
        + $"{Jurisdictions.Jurisdiction.LevelsSql("i.jurisdiction")} as code where i.id = ?)";

    private const string SuccessorsOf = "where predecessor_id = ?";
    private const string PermitsOf = "where institution_id = ?";
    // Containment in the documents' arrays of institutions, served by their GIN indexes (MemberIndex; the same
    // conditions as OfInstitution in InspectionsConfiguration and PartnershipsConfiguration, with the id as a parameter).
    // An inspection comes with this institution's findings only: everything the view reads of an inspection
    // (Supervision.Of, InstitutionStanding.AlertsOn) takes the institution's own findings, in their order. A cluster's
    // yearly inspection holds every inspected institution's findings, so the whole documents were about 21 kB of JSON
    // per read at 50,000 institutions (9 inspections, 35 findings), most of it other institutions', and their
    // deserialization the larger part of this read's service CPU; with only its own, about 4 kB. A statement of one's
    // own is read as the documents' JSON alone (the version is in the JSON too). The findings are picked by a JSON path
    // filter, which keeps their order: about a fifth cheaper in PostgreSQL than unnesting and aggregating them again
    // (full 38's data, 3,000 institutions: 0.27-0.29 -> 0.22 ms per read of their inspections, the same JSON).
    // Its parameters are marked ^, as the filter's own ? is not one.
    private static readonly string InspectionsOf =
        "select jsonb_set(d.data, '{findings}', coalesce(jsonb_path_query_array(d.data->'findings', '$[*] ? (@.institutionId == $id)', "
        + $"jsonb_build_object('id', ^::text)), '[]'::jsonb)) from mt_doc_inspection as d where {MemberIndex.Of(InspectionsConfiguration.InstitutionMember)} @> array[^]";
    private static readonly string PartnershipsOf = $"where {MemberIndex.Of(PartnershipsConfiguration.PartyMember)} @> array[?]";

    // One round trip for what the view needs: the institution as it stands (access is decided on it), its stream (up
    // to recordedAsOf), its successors, what is filed against it now and its jurisdiction's regime book.
    public static async Task<InstitutionReading> LoadAsync(Guid id, string? recordedAsOf, IQuerySession session, CancellationToken ct)
    {
        // An unreadable instant is refused by Get's validation, after access is decided; until then the stream is read whole.
        var recorded = ReadParameters.RecordedAsOf(new Validation(), recordedAsOf);
        var batch = session.CreateBatchQuery();
        var current = batch.Load<Institution>(id);
        var stream = batch.Events.FetchStream(id, 0, recorded, 0);
        // The statements Marten's LINQ writes for these filters (x.PredecessorId == id, p.InstitutionId == id,
        // InstitutionIds/PartyIds.Contains(id)), given as SQL: Marten parses a LINQ expression on every call, and the
        // four cost about a tenth of this read's service CPU (0.98 -> 0.87 ms per read, measured side by side under load).
        var successors = batch.Query<Institution>(SuccessorsOf, id);
        var permits = batch.Query<Permit>(PermitsOf, id);
        var inspections = batch.Query<Inspection>('^', InspectionsOf, id.ToString(), id.ToString());
        var partnerships = batch.Query<Partnership>(PartnershipsOf, id.ToString());
        var levels = batch.Query<Jurisdictions.Jurisdiction>(LevelsOfInstitution, id);
        await batch.Execute(ct);
        return new(await current, await stream, (await successors).Select(x => x.Id).ToList(), await permits, await inspections, await partnerships, await levels);
    }

    [WolverineBefore]
    public static AccessSubject Concerns(InstitutionReading reading) => AccessSubject.Institution(reading.Current);

    // The institution as in force on asOf (default today), from the events recorded by recordedAsOf (default now):
    // its own stream is short, so it is folded on read, in effective-date order, which also places late entries right.
    [WolverineGet("/api/institutions/{id}"), Tags("Institutions")]
    [ProducesResponseType<InstitutionView>(200)]
    public static async Task<IResult> Get(Guid id, string? asOf, string? recordedAsOf, InstitutionReading reading, IQuerySession session, TimeProvider clock,
        HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var day = ReadParameters.AsOf(v, asOf) ?? clock.Today();
        var recorded = ReadParameters.RecordedAsOf(v, recordedAsOf);
        if (!v.IsValid) return Results.Problem(v.ToProblem());

        var events = reading.Events;
        var institution = Institution.Replay(events, day);
        if (institution is null) return Results.Problem(Problems.NotFound(recorded is null ? L.T("no institution {0}", id) : L.T("no institution {0} recorded by {1:O}", id, recorded)));

        var (permits, inspections, partnerships) = recorded is { } at
            ? await RecordedByAsync(session, id, at, ct)
            : (reading.Permits, reading.Inspections, reading.Partnerships);
        // The levels were found from the institution's jurisdiction as it stands, which its registration fixes; a fold
        // that names another (never seen) reads its own.
        var levels = reading.Current?.Jurisdiction == institution.Jurisdiction
            ? reading.Levels
            : await session.LoadManyAsync<Jurisdictions.Jurisdiction>(ct, Jurisdictions.RegimeBook.StreamIdsFor(institution.Jurisdiction));
        var threshold = new Jurisdictions.RegimeBook(levels).DemeritThreshold(institution.Jurisdiction, day).Threshold;
        var supervision = Supervision.Of(id, inspections, day, threshold);
        var version = events[^1].Version;
        http.Response.Headers.ETag = Concurrency.ETag(version);
        var alerts = supervision.Alerts.Union(Statistics.InstitutionStanding.AlertsOn(institution, permits, partnerships, inspections, day)).Order().ToList();
        return Results.Json(InstitutionView.From(institution, reading.Successors, permits, partnerships, supervision, alerts, version, day, recorded), Json.Options);
    }

    // What the registry held about the institution at an instant: every permit, inspection and agreement stream with an
    // entry concerning it recorded by then, each folded up to that instant (corrections recorded by then applied, later
    // ones not). One query reads all their events; each stream is folded in memory by its registered projection, as
    // AggregateStreamAsync would fold it.
    private static async Task<(IReadOnlyList<Permit>, IReadOnlyList<Inspection>, IReadOnlyList<Partnership>)> RecordedByAsync(
        IQuerySession session, Guid id, DateTimeOffset at, CancellationToken ct)
    {
        var (permits, inspections, partnerships) = (new List<Permit>(), new List<Inspection>(), new List<Partnership>());
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var (sql, key, instant) = ($"d.stream_id in (select c.stream_id from {schema}.mt_events c where {ConcernedEvents.Where("c")} " +
            "and c.timestamp <= ? and c.stream_id <> ?) and d.timestamp <= ?", (object)ConcernedEvents.Keys([id]), at.ToUniversalTime());
        var events = await session.Events.QueryAllRawEvents().WhereSql(sql, key, instant, id, instant).OrderBy(e => e.Sequence).ToListAsync(ct);
        var projections = ((StoreOptions)session.DocumentStore.Options).Projections;
        foreach (var stream in events.GroupBy(e => e.StreamId).Select(g => g.OrderBy(e => e.Version).ToList()))
            switch (stream[0].Data)
            {
                case PermitApplicationSubmitted or PermitFiled:
                    if (await projections.AggregatorFor<Permit>().BuildAsync(stream, session, null, ct) is { } p) permits.Add(p);
                    break;
                case InspectionOpened:
                    if (await projections.AggregatorFor<Inspection>().BuildAsync(stream, session, null, ct) is { } i) inspections.Add(i);
                    break;
                case PartnershipSigned:
                    if (await projections.AggregatorFor<Partnership>().BuildAsync(stream, session, null, ct) is { } a) partnerships.Add(a);
                    break;
            }
        return (permits, inspections, partnerships);
    }
}
