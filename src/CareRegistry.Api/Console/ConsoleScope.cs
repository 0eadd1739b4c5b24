using CareRegistry.Access;
using CareRegistry.Common;
using Wolverine.Http;

namespace CareRegistry.WebConsole;

// For the few reads a page makes straight through the API's statistics queries (alert counts, the work queues'
// short lists: Statistics/AlertQueries, RectificationQueue) instead of paging a whole list: the division prefix the
// API would read for this caller, decided by the API's own gate as for GET /api/alerts (AccessGate.Check refuses a
// jurisdiction outside the caller's, AccessGate.ReadPrefix narrows an empty one to theirs). Null: nothing may be read
// (the page's API reads for the same jurisdiction show the refusal).
public static class ConsoleScope
{
    public static string? ReadPrefix(HttpContext http, string? asked)
    {
        if (Session.Caller(http.User) is not { } caller || Division.PrefixProblem(asked) is not null) return null;
        http.Items[typeof(Caller)] = caller;
        var refusal = AccessGate.Check(http, AccessSubject.ReadingIn(asked));
        return ReferenceEquals(refusal, WolverineContinue.NoProblems) ? Division.NormalizePrefix(AccessGate.ReadPrefix(http, asked)) : null;
    }
}
