using Marten;

namespace CareRegistry.Common;

public static class AsRecorded
{
    // The documents as the registry knew them at an instant: each one's stream folded up to it (streams that did not
    // exist yet drop out); with no instant, the current documents as they are. Each stream is short.
    public static async Task<IReadOnlyList<T>> AtAsync<T>(IQuerySession session, IReadOnlyList<T> current, Func<T, Guid> id,
        DateTimeOffset? recordedAsOf, CancellationToken ct) where T : class
    {
        if (recordedAsOf is null) return current;
        var then = new List<T>();
        foreach (var doc in current)
            if (await session.Events.AggregateStreamAsync<T>(id(doc), timestamp: recordedAsOf, token: ct) is { } earlier)
                then.Add(earlier);
        return then;
    }
}
