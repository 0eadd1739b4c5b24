using CareRegistry.Localization;
using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace CareRegistry.Common;

// Turns what a client's request can provoke below the endpoints into problem details: a duplicate that raced past
// the checks (409), a stream that moved on (412), a body that could not be read (400/413), a database that is
// down (503 with Retry-After). Anything else stays a 500 and is logged.
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var details = Map(exception);
        if (details is null) return false;
        if (details.Status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "5";
        else logger.LogInformation("request refused: {Title} ({Status}): {Detail}", details.Title, details.Status, details.Detail);
        context.Response.StatusCode = details.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details, Exception = exception });
    }

    private static ProblemDetails? Map(Exception exception) => exception switch
    {
        ConcurrencyException or StreamLockedException => new ProblemDetails
        {
            Status = StatusCodes.Status412PreconditionFailed, Title = L.T("The stream has moved on").Render(),
            Detail = L.T("Another change was recorded first; nothing was written. Read the current version and retry.").Render(),
        },
        ExistingStreamIdCollisionException => Problems.Conflict(L.T("the stream already exists; nothing was written")),
        _ when Find<PostgresException>(exception) is { SqlState: PostgresErrorCodes.UniqueViolation } pg => Problems.Conflict(
            pg.ConstraintName?.Contains("uscc") == true ? L.T("that USCC is already registered; nothing was written") : L.T("a unique value is already taken; nothing was written")),
        // A 400 always names what is wrong (errors), as every other 400 does; here it is the body as a whole.
        BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad => new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["body"] = [bad.Message] })
        {
            Status = bad.StatusCode, Title = L.T("The request could not be read").Render(), Detail = bad.Message,
        },
        BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = L.T("The request could not be read").Render(), Detail = bad.Message },
        // Npgsql reports connection failures and its own timeouts as transient; other timeouts are not the database's.
        _ when Find<NpgsqlException>(exception) is { IsTransient: true } => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable, Title = L.T("The registry's database is not reachable").Render(),
            Detail = L.T("Nothing was written. Retry shortly.").Render(),
        },
        _ => null,
    };

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T t) return t;
        return null;
    }
}
