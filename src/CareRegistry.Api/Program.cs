using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Audit;
using CareRegistry.Common;
using CareRegistry.WebConsole;
using CareRegistry.Contract;
using CareRegistry.Disclosure;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using CareRegistry.Webhooks;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Scalar.AspNetCore;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine.Persistence;

var builder = WebApplication.CreateBuilder(args);
// ops/up sets ConnectionStrings__CareRegistry; without it the default lets `dotnet run -- help` work anywhere.
var connectionString = builder.Configuration.GetConnectionString("CareRegistry") ?? "Host=127.0.0.1;Port=5432;Database=careregistry";

builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
builder.Services.AddSingleton(TimeProvider.System);
// The registry sets no session state, so a pooled connection needs no DISCARD ALL on every open; Marten's few statement
// shapes are prepared once per connection; PostgreSQL compiles no statement (Common/PostgresSessions.cs). A connection
// string that says otherwise wins. (The generic builder, because NpgsqlConnectionStringBuilder.ContainsKey answers
// whether a keyword exists at all, not whether the string sets it: asked that way, every default here was skipped, on
// Marten's and Wolverine's connections alike.)
builder.Services.AddNpgsqlDataSource(connectionString, b =>
{
    var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
    bool Sets(string keyword) => given.ContainsKey(keyword) || given.ContainsKey(keyword.Replace(" ", ""));
    if (!Sets("No Reset On Close")) b.ConnectionStringBuilder.NoResetOnClose = true;
    if (!Sets("Max Auto Prepare")) b.ConnectionStringBuilder.MaxAutoPrepare = 64;
    if (!Sets("Auto Prepare Min Usages")) b.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
    b.ConnectionStringBuilder.WithoutJit();
});
// The name search's ids, planned for each fragment, and its first read of a fragment's matches
// (Institutions/UnpreparedConnections.cs). A factory, so the container disposes it.
builder.Services.AddSingleton(_ => new CareRegistry.Institutions.UnpreparedConnections(connectionString));
// Marten logs failed statements with every value; this keeps them out of the log (Common/MartenLogging.cs).
builder.Services.AddSingleton<ILogger<IDocumentStore>, MartenFailureLogger>();

builder.Services.AddMarten(opts =>
    {
        // Marten's System.Text.Json serializer, reading documents and events from memory (Common/BufferedJsonSerializer.cs).
        opts.Serializer(new BufferedJsonSerializer { EnumStorage = EnumStorage.AsString, Casing = Casing.CamelCase });
        // Quick appends (Marten's default): one function call appends and checks the version; the database assigns
        // sequence and timestamp, so no inline projection reads them (a webhook subscription records its own start).
        opts.Events.AppendMode = JasperFx.Events.EventAppendMode.QuickWithServerTimestamps;
        opts.Events.MetadataConfig.EnableAll();
        // The async daemon looks for new events every 100 ms under load and every 250 ms when idle (Marten's 250 ms and
        // 1 s): lists and the monitoring table trail a command by about one poll, for one cheap query per poll.
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Extension("pg_trgm"));
        // GiST over a period with plain columns beside it (the demerit facts' index, StandingFact).
        opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Extension("btree_gist"));
        opts.ConfigureInstitutions();
        opts.ConfigurePermits();
        opts.ConfigureJurisdictions();
        opts.ConfigureInspections();
        opts.ConfigurePartnerships();
        opts.ConfigureConcernedEvents();
        opts.ConfigureStatistics();
        opts.ConfigureRegistryCounts();
        opts.ConfigureAuditChain();
        opts.ConfigureIdempotency();
        opts.ConfigureWebhooks();
    })
    .UseNpgsqlDataSource()
    .ApplyAllDatabaseChangesOnStartup()
    .UseLightweightSessions()
    .IntegrateWithWolverine(m => m.UseWolverineManagedEventSubscriptionDistribution = true);

builder.Services.Configure<IdempotencyOptions>(builder.Configuration.GetSection("Idempotency"));
builder.Services.AddHostedService<IdempotencyJanitor>();
// Rebuilds of every projection run in the background, one at a time (Audit/Rebuilds.cs).
builder.Services.AddProjectionRebuilds();
// Stale districts' figures that reads took are computed again in the background (Statistics/AreaFiguresRefresher.cs).
builder.Services.AddAreaFiguresRefresher();

// Wolverine's endpoint and handler code is generated ahead of time (ops/codegen) into Internal/Generated and compiled
// with the service, which loads those types as they are and ships no runtime compiler: Roslyn compiling every chain at
// start cost seconds and hundreds of MB. A chain without its generated type stops the start (run ops/codegen); ops/test
// fails when the committed code differs from what the endpoints generate now (docs/operations.md).
builder.Services.CritterStackDefaults(x =>
{
    foreach (var profile in new[] { x.Production, x.Development })
    {
        profile.GeneratedCodeMode = JasperFx.CodeGeneration.TypeLoadMode.Static;
        profile.AssertAllPreGeneratedTypesExist = true;
        profile.SourceCodeWritingEnabled = false;
    }
});

builder.Host.UseWolverine(opts =>
{
    opts.Policies.AutoApplyTransactions();
    opts.EntityDefaults.OnMissing = OnMissing.ProblemDetailsWith404;
});
// Wolverine places each async projection on exactly one node (opted into on IntegrateWithWolverine above) and moves
// it when that node dies; Wolverine:Durability:* (HealthCheckPollingTime, StaleNodeTimeout) sets how soon
// (docs/reliability.md).
builder.Services.ConfigureWolverine(opts =>
{
    // Durable scheduled messages (a webhook's retries and its wait behind an earlier delivery of its stream) are
    // polled by the durability agent, at most RecoveryBatchSize per poll: Wolverine's 100 every 5 s capped the
    // deliveries after a fault at about 20 a second (docs/reliability.md, "Webhook delivery").
    opts.Durability.ScheduledJobPollingTime = TimeSpan.FromSeconds(1);
    opts.Durability.RecoveryBatchSize = 500;
    builder.Configuration.GetSection("Wolverine:Durability").Bind(opts.Durability);
});
builder.Services.AddWolverineHttp();
builder.Services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));

// The language of every problem (and of the console): zh-CN or en (Localization/RegistryLocalization.cs).
builder.Services.AddRegistryLocalization();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemShaping.Customize);
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddCareRegistryOpenApi();
builder.Services.AddHealthChecks().AddCheck<PostgresReadyCheck>("postgres", tags: ["ready"]);
// Wolverine logs a body it cannot deserialize at Error, with the stack trace, under the command's own type name. It is
// the client's mistake, answered as a 400 problem naming the field and logged once at Information (ProblemShaping).
// One rule per command category, so a level configured for "CareRegistry" (more specific than a bare filter) cannot
// bring the stack traces back.
foreach (var category in ProblemShaping.CommandCategoryNames) builder.Logging.AddFilter(category, LogLevel.Critical);
builder.AddCareRegistryTelemetry();
builder.AddCareRegistryAuthentication();
// /public is anonymous: a fixed window per client address keeps it from being scraped flat (Disclosure/PublicRateLimit.cs).
builder.Services.AddPublicRateLimit(builder.Configuration);
// Pushed events: subscriptions, the relay from the event log and deliveries through the durable outbox (Webhooks/).
builder.AddCareRegistryWebhooks();
// The web console at / (Console/, docs/console.md): server-rendered pages over the same endpoints, cookie sign-in.
builder.AddConsole();

var app = builder.Build();

app.UseRegistryLocalization();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRouting();
app.UseRateLimiter();
app.UseCommandMetrics();
app.UseAuthentication();
app.UseMiddleware<Idempotency>();
app.MapConsole();

app.MapOpenApi("/openapi/{documentName}.json").WithMetadata(HeadLikeGet.Methods);
app.MapScalarApiReference("/docs").WithMetadata(HeadLikeGet.Methods);
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });

app.MapWolverineEndpoints(opts =>
{
    // Access is decided inside each chain, once the command is understood (Access/AccessChecks.cs).
    opts.AddPolicy<AccessChecks>();
    // A read refuses a query parameter it does not declare (Common/DeclaredQuery.cs).
    opts.AddPolicy<DeclaredQueryPolicy>();
    opts.AddPolicy<HeadLikeGet>();
    // Every command records who sent it and marks its idempotency claim; reads open no writable session.
    opts.AddMiddleware(typeof(JsonObjectBody), chain => chain.HttpMethods.Contains("POST") && chain.RequestType is { } t && t != typeof(void));
    opts.AddMiddleware(typeof(RecordedBy), chain => chain.HttpMethods.Contains("POST"));
    opts.AddMiddleware(typeof(IdempotencyCommit), chain => chain.HttpMethods.Contains("POST"));
});

return await app.RunJasperFxCommands(args);

public partial class Program;
