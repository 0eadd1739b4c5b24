using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CareRegistry.Common;

public static class Telemetry
{
    // Metrics always: ASP.NET Core, HTTP clients, the runtime, Wolverine, Marten, Npgsql and the registry's own meter
    // (RegistryMetrics), readable in-process (dotnet-counters) and exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT
    // is set. Traces only then: an unexported trace still costs an activity per request and per Npgsql command, so
    // without an exporter no tracing listener is registered at all and those activities are never created.
    public static WebApplicationBuilder AddCareRegistryTelemetry(this WebApplicationBuilder builder)
    {
        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("careregistry"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Wolverine", "Wolverine:*", "Marten", "Npgsql", RegistryMetrics.MeterName));
        if (exporting)
        {
            otel.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddSource("Wolverine", "Marten")
                .AddNpgsql());
            otel.UseOtlpExporter();
        }
        builder.Services.AddHostedService<RegistryMetricsSampler>();
        return builder;
    }
}
