using Wolverine.Marten;

namespace CareRegistry.Common;

public static class Decided
{
    // The new stream version is known before the commit: the version the decision saw plus what it appends.
    public static (CommandAccepted, Events) Accept(Guid id, long versionSeen, object[] events) =>
        (new CommandAccepted(id, versionSeen + events.Length), new Events(events));
}
