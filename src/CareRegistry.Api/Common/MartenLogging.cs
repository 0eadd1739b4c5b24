using System.Runtime.CompilerServices;
using Marten;
using Npgsql;

namespace CareRegistry.Common;

// Marten's default logger (category Marten.IDocumentStore) writes a failed batch at Error once per statement, each
// with every parameter value: for a command that is the whole event and the documents it projects, an institution's
// data included. This stands in for ILogger<IDocumentStore>, which Marten asks the container for when it builds its
// default logger (a closed registration wins over the open ILogger<>), and passes everything through except that
// message, which it writes once per failure without SQL or values: at Debug for a unique violation (the request
// is answered 409 and ProblemExceptionHandler logs it in one line), at Error with the exception otherwise.
public sealed class MartenFailureLogger(ILoggerFactory factory) : ILogger<IDocumentStore>
{
    private static readonly object Seen = new();
    private readonly ILogger _inner = factory.CreateLogger(typeof(IDocumentStore).FullName!);
    private readonly ConditionalWeakTable<Exception, object> _logged = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (exception is null || !WithParameters(state))
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }
        if (!_logged.TryAdd(exception, Seen)) return;
        if (Find<PostgresException>(exception) is { SqlState: PostgresErrorCodes.UniqueViolation } unique)
            _inner.LogDebug("a write was refused by the unique index {Constraint}; nothing was written", unique.ConstraintName);
        else
            _inner.LogError(exception, "Marten could not execute a command (statement values not logged)");
    }

    private static bool WithParameters<TState>(TState state) =>
        state is IReadOnlyList<KeyValuePair<string, object?>> values && values.Any(v => v.Key == "PARAMETERS");

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T t) return t;
        return null;
    }
}
