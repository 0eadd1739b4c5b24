using CareRegistry.Localization;
using System.Security.Cryptography;
using System.Text.Json;
using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace CareRegistry.Access;

public sealed class IdempotencyOptions
{
    public int RetentionHours { get; set; } = 24;

    // How long a claim whose request never finished (its release failed with the database, or the process died)
    // holds the key before a retry may claim it again. Longer than any request can run.
    public int ClaimTimeoutSeconds { get; set; } = 60;
}

// Idempotency-Key on any command: the first request claims the key (durably, in PostgreSQL) and its answer is
// stored; a retry with the same key and body gets that answer again and writes nothing; the same key with another
// body is 422; a retry while the first is still running is 409 with Retry-After. Keys are per caller.
// The claim is marked committed in the command's own transaction (MarkCommitted), so a claim left behind by a
// request that died — its release failed with the database, or the process was killed — is known to have written
// nothing and a retry may claim it again after ClaimTimeoutSeconds; one that committed is never run twice.
public sealed class Idempotency(RequestDelegate next, Microsoft.Extensions.Options.IOptions<IdempotencyOptions> options)
{
    public const string Table = "careregistry_idempotency";

    private static readonly string[] ReplayedHeaders = ["ETag", "Location", "Content-Type"];

    public async Task InvokeAsync(HttpContext context, NpgsqlDataSource db, IProblemDetailsService problems, ILogger<Idempotency> logger)
    {
        var given = context.Request.Headers["Idempotency-Key"].ToString();
        // A request without a usable token is left to AccessGate to refuse; it claims no key.
        if (context.Request.Method != "POST" || given.Length == 0 || !context.Request.Path.StartsWithSegments("/api")
            || context.User.Identity?.IsAuthenticated != true || context.User.FindFirst("sub")?.Value is not { Length: > 0 } user)
        {
            await next(context);
            return;
        }
        if (!Guid.TryParse(given, out var keyId))
        {
            await Answer(context, problems, 400, L.T("Idempotency-Key must be a UUID"), new Dictionary<string, string[]> { ["Idempotency-Key"] = [L.T("must be a UUID").Render()] });
            return;
        }

        var key = $"{user}:{keyId}";
        var hash = await RequestHashAsync(context);
        var claimId = Guid.NewGuid();
        await using (var claim = db.CreateCommand($"""
            insert into {Table} as t (key, request_hash, claim_id) values ($1, $2, $4)
            on conflict (key) do update set created_at = now(), claim_id = excluded.claim_id
            where t.status is null and t.committed_at is null and t.request_hash = excluded.request_hash
              and t.created_at < now() - make_interval(secs => $3)
            """))
        {
            claim.Parameters.AddWithValue(key);
            claim.Parameters.AddWithValue(hash);
            claim.Parameters.AddWithValue((double)options.Value.ClaimTimeoutSeconds);
            claim.Parameters.AddWithValue(claimId);
            if (await claim.ExecuteNonQueryAsync(context.RequestAborted) == 0)
            {
                await ReplayAsync(context, db, problems, key, hash);
                return;
            }
        }

        context.Items[ClaimedKey] = (key, claimId);
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            await ReleaseAsync(db, key, claimId);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        // A server failure, or a refusal that depends on the token rather than the request, wrote nothing and is not
        // the request's answer: the key is free again.
        if (context.Response.StatusCode is >= 500 or StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden) await ReleaseAsync(db, key, claimId);
        else
        {
            var headers = ReplayedHeaders.Where(h => context.Response.Headers.ContainsKey(h)).ToDictionary(h => h, h => context.Response.Headers[h].ToString());
            await StoreAnswerAsync(db, logger, key, context.Response.StatusCode, JsonSerializer.Serialize(headers), System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext context, NpgsqlDataSource db, IProblemDetailsService problems, string key, string hash)
    {
        await using var find = db.CreateCommand($"select request_hash, status, headers::text, body, committed_at is not null from {Table} where key = $1");
        find.Parameters.AddWithValue(key);
        await using var row = await find.ExecuteReaderAsync(context.RequestAborted);
        if (!await row.ReadAsync(context.RequestAborted))
        {
            await Answer(context, problems, 409, L.T("the first request with this Idempotency-Key failed; send it again"));
            return;
        }
        if (row.GetString(0) != hash)
        {
            await Answer(context, problems, 422, L.T("this Idempotency-Key was used with a different request"));
            return;
        }
        if (row.IsDBNull(1) && row.GetBoolean(4))
        {
            await Answer(context, problems, 409, L.T("the first request with this Idempotency-Key was recorded, but its answer was lost; read the resource to see it"));
            return;
        }
        if (row.IsDBNull(1))
        {
            context.Response.Headers.RetryAfter = "1";
            await Answer(context, problems, 409, L.T("a request with this Idempotency-Key is still being processed"));
            return;
        }
        context.Response.StatusCode = row.GetInt32(1);
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(row.GetString(2)) ?? [])
            context.Response.Headers[name] = value;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        await context.Response.WriteAsync(row.GetString(3), context.RequestAborted);
    }

    private const string ClaimedKey = "careregistry.idempotency-key";

    // Called by every command before it saves: the claim is marked in the same transaction as the events.
    public static void MarkCommitted(HttpContext context, Marten.IDocumentSession session)
    {
        if (context.Items[ClaimedKey] is (string key, Guid claim))
            session.QueueSqlCommand($"update {Table} set committed_at = careregistry_idempotency_commit(claim_id, ?) where key = ?", claim, key);
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

    // The command has been answered, and may have been recorded: its answer is what a retry needs, so a database
    // that went away just now is given a few seconds to come back. If it does not, the caller still gets the real
    // answer (not an error for a write that happened); a retry will then hear that the answer was lost.
    private static async Task StoreAnswerAsync(NpgsqlDataSource db, ILogger logger, string key, int status, string headers, string body)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var store = db.CreateCommand($"update {Table} set status = $2, headers = $3::jsonb, body = $4 where key = $1");
                store.Parameters.AddWithValue(key);
                store.Parameters.AddWithValue(status);
                store.Parameters.AddWithValue(headers);
                store.Parameters.AddWithValue(body);
                await store.ExecuteNonQueryAsync(CancellationToken.None);
                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && attempt < 10)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (NpgsqlException e)
            {
                logger.LogWarning(e, "the answer to Idempotency-Key {Key} could not be stored", key);
                return;
            }
        }
    }

    // Only this request's own claim, and only if it wrote nothing: a retry may have taken the key over meanwhile.
    private static async Task ReleaseAsync(NpgsqlDataSource db, string key, Guid claimId)
    {
        await using var release = db.CreateCommand($"delete from {Table} where key = $1 and claim_id = $2 and status is null and committed_at is null");
        release.Parameters.AddWithValue(key);
        release.Parameters.AddWithValue(claimId);
        await release.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static async Task Answer(HttpContext context, IProblemDetailsService problems, int status, Text detail, IDictionary<string, string[]>? errors = null)
    {
        context.Response.StatusCode = status;
        var problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Title = (status == 400 ? L.T("The request is invalid") : L.T("Idempotency-Key conflict")).Render();
        problem.Detail = detail.Render();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}

// The claims table and its commit check, as schema objects of the store: db-apply, db-assert and the apply at
// start-up create and check them with Marten's own.
public static class IdempotencySchema
{
    public static StoreOptions ConfigureIdempotency(this StoreOptions opts)
    {
        var schema = opts.Events.DatabaseSchemaName;
        var table = new Table(new PostgresqlObjectName(schema, Idempotency.Table, SchemaUtils.IdentifierUsage.General)) { PrimaryKeyName = $"{Idempotency.Table}_pkey" };
        table.AddColumn("key", "text").AsPrimaryKey();
        table.AddColumn("request_hash", "text").NotNull();
        table.AddColumn("status", "integer");
        table.AddColumn("headers", "jsonb");
        table.AddColumn("body", "text");
        table.AddColumn("created_at", "timestamp with time zone").NotNull().DefaultValueByExpression("now()");
        table.AddColumn("committed_at", "timestamp with time zone");
        table.AddColumn("claim_id", "uuid");
        // The janitor forgets keys by age.
        table.Indexes.Add(new IndexDefinition($"ix_{Idempotency.Table}_created") { Columns = ["created_at"] });
        opts.Storage.ExtendedSchemaObjects.Add(table);

        // In the command's transaction: marks the claim committed, or fails the transaction when a retry has taken
        // the claim over in the meantime (this request outlived ClaimTimeoutSeconds), so a command never runs twice.
        opts.Storage.ExtendedSchemaObjects.Add(new ReplacedFunction($"""
            CREATE OR REPLACE FUNCTION {schema}.careregistry_idempotency_commit(holder uuid, claim uuid)
             RETURNS timestamp with time zone
             LANGUAGE plpgsql
            AS $function$
            begin
                if holder is distinct from claim then
                    raise exception 'the Idempotency-Key claim was taken over by a retry' using errcode = '40001';
                end if;
                return now();
            end $function$;
            """));
        return opts;
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

// Every command marks its claim (if any) committed in its own transaction (Wolverine middleware on POST chains).
public static class IdempotencyCommit
{
    public static void Before(HttpContext context, Marten.IDocumentSession session) => Idempotency.MarkCommitted(context, session);
}
