using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Permits;
using JasperFx.Events;
using Marten;

namespace CareRegistry.Audit;

// Where an event happened, for the reads and pushes that are narrowed to a division prefix (the officers' feed,
// webhook subscriptions): the districts of the institutions it concerns (its own, a permit's, an inspection's or an
// agreement's parties), or the code of the jurisdiction whose rule it records. An event with no place (a webhook
// subscription's own events) is seen only by those who read everywhere.
public sealed record EventPlace(IReadOnlyList<string> Districts, string? RuleCode)
{
    public static readonly EventPlace Nowhere = new([], null);

    // Inside the prefix ("" the nation): any institution it concerns is inside — as a reader of an agreement or a joint
    // inspection needs only one party inside — or it is a jurisdiction's rule at or below the prefix, or above it
    // (a province's or the nation's rule is in force in every district under it, and rules are public to every reader).
    public bool Within(string prefix)
    {
        if (prefix.Length == 0) return true;
        if (Districts.Any(d => d.StartsWith(prefix, StringComparison.Ordinal))) return true;
        return RuleCode is { } code && (code.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(code, StringComparison.Ordinal));
    }

    // The places of a batch of events, with one load of the institutions (and permits, for the few permit events
    // written before they named their institution) they concern.
    public static async Task<IReadOnlyDictionary<long, EventPlace>> OfAsync(IQuerySession session, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var institutionIds = events.SelectMany(Concerned).Distinct().ToArray();
        var institutions = institutionIds.Length == 0 ? [] : await session.LoadManyAsync<Institution>(ct, institutionIds);
        var districts = institutions.ToDictionary(i => i.Id, i => i.Jurisdiction);
        var permitStreams = events.Where(e => e.Data is IConcernsInstitutions && !Concerned(e).Any()).Select(e => e.StreamId).Distinct().ToArray();
        var permits = permitStreams.Length == 0 ? [] : await session.LoadManyAsync<Permit>(ct, permitStreams);
        var permitDistricts = permits.ToDictionary(p => p.Id, p => p.Jurisdiction);

        var places = new Dictionary<long, EventPlace>();
        foreach (var e in events)
        {
            var own = Concerned(e).Select(id => districts.GetValueOrDefault(id)).OfType<string>().ToList();
            if (own.Count == 0 && permitDistricts.TryGetValue(e.StreamId, out var district)) own.Add(district);
            places[e.Sequence] = new EventPlace(own, RuleCodeOf(e.Data));
        }
        return places;
    }

    // In SQL, over mt_events aliased `e`: whether an event may be inside the prefix (@prefix, @prefixEnd, and @rules:
    // RuleCodes(prefix)) — a superset of Within, so that a prefix read deserialises and places (OfAsync, Within) only the
    // events that can be shown rather than every event of the log. What Within reads, by where it lives in an event's
    // JSON: the institutions it concerns (IConcernsInstitutions is always institutionId, institutionIds or partyIds) by
    // their documents' indexed jurisdiction; a permit stream's own jurisdiction (events written before they named their
    // institution); and a rule's jurisdiction (every rule event names it as jurisdiction).
    public static string MayBeWithinSql() => $"""
        coalesce((e.data ->> 'jurisdiction') = any(@rules) or {Inside("e.data ->> 'jurisdiction'")}
         or exists (select 1 from mt_doc_institution i where i.id = (e.data ->> 'institutionId')::uuid and {Inside("i.jurisdiction")})
         or exists (select 1 from jsonb_array_elements_text(case when jsonb_typeof(e.data -> 'institutionIds') = 'array' then e.data -> 'institutionIds' else '[]' end
                                                          || case when jsonb_typeof(e.data -> 'partyIds') = 'array' then e.data -> 'partyIds' else '[]' end) x
                    join mt_doc_institution i on i.id = x::uuid where {Inside("i.jurisdiction")})
         or exists (select 1 from mt_doc_permit p where p.id = e.stream_id and {Inside("p.jurisdiction")}), false)
        """;

    // The codes above the prefix whose rules are in force inside it (the nation, the province, the city, itself); codes
    // below it are the range.
    public static string[] RuleCodes(string prefix) =>
        ["", "00", .. new[] { 2, 4, 6 }.Where(n => n <= prefix.Length).Select(n => prefix[..n])];

    private static string Inside(string column) => $"({column}) >= @prefix and ({column}) < @prefixEnd";

    private static IEnumerable<Guid> Concerned(IEvent e) =>
        e.Data is IConcernsInstitutions c ? c.ConcernedInstitutions.Where(id => id != Guid.Empty) : [];

    // A jurisdiction's rule names its code; "00" (or empty) is the nation.
    private static string? RuleCodeOf(object data) => data switch
    {
        RegimeChanged r => Division.NormalizePrefix(r.Jurisdiction),
        DemeritThresholdSet t => Division.NormalizePrefix(t.Jurisdiction),
        ElderlyPopulationRecorded p => Division.NormalizePrefix(p.Jurisdiction),
        _ => null,
    };
}
