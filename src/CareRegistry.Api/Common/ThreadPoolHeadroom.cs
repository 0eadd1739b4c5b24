namespace CareRegistry.Common;

// More worker threads the thread pool may start at once, for as long as a burst of CPU-bound work holds pool threads.
// The pool keeps about one thread per core and, once its queue stops moving, adds roughly one every half second; a
// rebuild's folds (the standing fold's workers, the stream snapshots' folds) hold that many threads for seconds at a
// time, so the requests that arrived as they began waited for the pool to grow: commands at 50 a second on 2 cores
// waited up to 0.99 s, against 0.24 s with more threads ready (docs/performance-log.md, the thirty-fourth stop).
public static class ThreadPoolHeadroom
{
    private static readonly Lock Gate = new();

    public static IDisposable Add(int threads)
    {
        Change(threads);
        return new Added(threads);
    }

    private static void Change(int threads)
    {
        lock (Gate)
        {
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(1, workers + threads), io);
        }
    }

    private sealed class Added(int threads) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Change(-threads);
        }
    }
}
