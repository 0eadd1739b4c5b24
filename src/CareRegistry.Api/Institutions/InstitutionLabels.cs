using Marten;

namespace CareRegistry.Institutions;

// What a list of other things (alerts, findings) shows of each institution: its name and USCC, read from the
// documents' columns of JSON in PostgreSQL. Loading the whole institutions for it deserialized their staff, service,
// rating and occupancy histories for two strings.
public sealed record InstitutionLabel(Guid Id, string Name, string Uscc);

public static class InstitutionLabels
{
    public static async Task<Dictionary<Guid, InstitutionLabel>> LoadAsync(IQuerySession session, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToArray();
        if (wanted.Length == 0) return [];
        var labels = await session.Query<Institution>().Where(x => wanted.Contains(x.Id))
            .Select(x => new InstitutionLabel(x.Id, x.Name, x.Uscc)).ToListAsync(ct);
        return labels.ToDictionary(x => x.Id);
    }
}
