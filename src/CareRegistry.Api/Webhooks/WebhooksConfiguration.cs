using JasperFx.Events.Projections;
using Marten;
using Wolverine;
using Wolverine.Marten;

namespace CareRegistry.Webhooks;

public static class WebhooksConfiguration
{
    public const string Queue = "webhooks";

    public static StoreOptions ConfigureWebhooks(this StoreOptions opts)
    {
        // Inline: the command's answer and the subscription the relay reads next come from the same transaction.
        opts.Projections.Snapshot<WebhookSubscription>(SnapshotLifecycle.Inline);
        opts.Schema.For<WebhookDelivery>().Duplicate(d => d.SubscriptionId).Duplicate(d => d.StreamId).Duplicate(d => d.Sequence);
        return opts;
    }

    // Webhooks:* (MaxAttempts, FirstRetrySeconds, MaxRetrySeconds, TimeoutSeconds, Source) configure delivery.
    public static WebApplicationBuilder AddCareRegistryWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection("Webhooks"));
        // Redirects are not followed: a delivery goes to the URL an admin registered, and its signature with it.
        builder.Services.AddHttpClient(WebhookOptions.ClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        // The relay is a Marten subscription that Wolverine places on one node, like the async projections.
        builder.Services.SubscribeToEvents(new WebhookRelay());
        builder.Services.ConfigureWolverine(opts =>
        {
            // Durable: every DeliverWebhook is in wolverine_incoming (the registry's PostgreSQL) until handled, so a
            // delivery scheduled or in flight when the node dies is picked up again by a live node.
            opts.LocalQueue(Queue).UseDurableInbox().MaximumParallelMessages(4);
            opts.PublishMessage<DeliverWebhook>().ToLocalQueue(Queue);
        });
        return builder;
    }
}
