using System.Security.Cryptography;
using System.Text.Json;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace CareRegistry.Access;

public sealed class IdempotencyOptions
{
    public int RetentionHours { get; set; } = 24;
}

// Idempotency-Key on any command: the first request claims the key (durably, in PostgreSQL) and its answer is
// stored; a retry with the same key and body gets that answer again and writes nothing; the same key with another
// body is 422; a retry while the first is still running is 409 with Retry-After. Keys are per caller.
public sealed class Idempotency(RequestDelegate next)
{
    public const string Table = "careregistry_idempotency";

    public static string Ddl(string schema) => $"""
        create table if not exists {schema}.{Table} (
            key          text primary key,
            request_hash text        not null,
            status       int,
            headers      jsonb,
            body         text,
            created_at   timestamptz not null default now()
        );
        create index if not exists ix_{Table}_created on {schema}.{Table} (created_at);
        """;

    private static readonly string[] ReplayedHeaders = ["ETag", "Location", "Content-Type"];

    public async Task InvokeAsync(HttpContext context, NpgsqlDataSource db, IProblemDetailsService problems)
    {
        var given = context.Request.Headers["Idempotency-Key"].ToString();
        if (context.Request.Method != "POST" || given.Length == 0 || !context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }
        if (!Guid.TryParse(given, out var keyId))
        {
            await Answer(context, problems, 400, "Idempotency-Key must be a UUID", new Dictionary<string, string[]> { ["Idempotency-Key"] = ["must be a UUID"] });
            return;
        }

        var key = $"{Caller.From(context).UserId}:{keyId}";
        var hash = await RequestHashAsync(context);
        await using (var claim = db.CreateCommand($"insert into {Table} (key, request_hash) values ($1, $2) on conflict do nothing"))
        {
            claim.Parameters.AddWithValue(key);
            claim.Parameters.AddWithValue(hash);
            if (await claim.ExecuteNonQueryAsync(context.RequestAborted) == 0)
            {
                await ReplayAsync(context, db, problems, key, hash);
                return;
            }
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            await ReleaseAsync(db, key);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        if (context.Response.StatusCode >= 500) await ReleaseAsync(db, key);
        else
        {
            var headers = ReplayedHeaders.Where(h => context.Response.Headers.ContainsKey(h)).ToDictionary(h => h, h => context.Response.Headers[h].ToString());
            await using var store = db.CreateCommand($"update {Table} set status = $2, headers = $3::jsonb, body = $4 where key = $1");
            store.Parameters.AddWithValue(key);
            store.Parameters.AddWithValue(context.Response.StatusCode);
            store.Parameters.AddWithValue(JsonSerializer.Serialize(headers));
            store.Parameters.AddWithValue(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            await store.ExecuteNonQueryAsync(CancellationToken.None);
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext context, NpgsqlDataSource db, IProblemDetailsService problems, string key, string hash)
    {
        await using var find = db.CreateCommand($"select request_hash, status, headers::text, body from {Table} where key = $1");
        find.Parameters.AddWithValue(key);
        await using var row = await find.ExecuteReaderAsync(context.RequestAborted);
        if (!await row.ReadAsync(context.RequestAborted))
        {
            await Answer(context, problems, 409, "the first request with this Idempotency-Key failed; send it again");
            return;
        }
        if (row.GetString(0) != hash)
        {
            await Answer(context, problems, 422, "this Idempotency-Key was used with a different request");
            return;
        }
        if (row.IsDBNull(1))
        {
            context.Response.Headers.RetryAfter = "1";
            await Answer(context, problems, 409, "a request with this Idempotency-Key is still being processed");
            return;
        }
        context.Response.StatusCode = row.GetInt32(1);
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(row.GetString(2)) ?? [])
            context.Response.Headers[name] = value;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        await context.Response.WriteAsync(row.GetString(3), context.RequestAborted);
    }

    // The route and the exact body: a retry must be the same request.
    private static async Task<string> RequestHashAsync(HttpContext context)
    {
        context.Request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{context.Request.Method} {context.Request.Path}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0) sha.AppendData(chunk, 0, read);
        context.Request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static async Task ReleaseAsync(NpgsqlDataSource db, string key)
    {
        await using var release = db.CreateCommand($"delete from {Table} where key = $1 and status is null");
        release.Parameters.AddWithValue(key);
        await release.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static async Task Answer(HttpContext context, IProblemDetailsService problems, int status, string detail, IDictionary<string, string[]>? errors = null)
    {
        context.Response.StatusCode = status;
        var problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Title = status == 400 ? "The request is invalid" : "Idempotency-Key conflict";
        problem.Detail = detail;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}

// Forgets keys older than the retention window.
public sealed class IdempotencyJanitor(NpgsqlDataSource db, Microsoft.Extensions.Options.IOptions<IdempotencyOptions> options, ILogger<IdempotencyJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(10));
        do
        {
            try
            {
                await using var cmd = db.CreateCommand($"delete from {Idempotency.Table} where created_at < now() - make_interval(hours => $1)");
                cmd.Parameters.AddWithValue(options.Value.RetentionHours);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            catch (NpgsqlException e) { logger.LogWarning(e, "could not forget old idempotency keys"); }
        } while (await timer.WaitForNextTickAsync(ct));
    }
}
