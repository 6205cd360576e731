using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Runner.Api.Hosting;
using Runner.Api.Languages;
using Runner.Api.Storage;
using Runner.Sandbox;
using Runner.Sandbox.Metrics;

namespace Runner.Api.Metrics;

/// <summary>
/// Prometheus text at /metrics through OpenTelemetry's exporter: the instruments are plain
/// System.Diagnostics.Metrics, so the exporter is a choice made here alone.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>The meters exported: the service's, the engine's, and the framework's own (HTTP server, Kestrel, runtime).</summary>
    public static readonly string[] Meters =
    [
        RunnerMetrics.MeterName, SandboxMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime",
    ];

    /// <summary>
    /// The instruments are always registered (without a listener they cost nothing); the
    /// exporter only when Runner:Metrics:Enabled.
    /// </summary>
    public static IServiceCollection AddRunnerMetrics(this IServiceCollection services, IConfiguration configuration, RunnerRoles roles)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section));
        services.AddSingleton<RunnerMetrics>();
        services.AddSingleton<MetricsAccess>();
        if (roles.Api)
        {
            services.AddSingleton<ClusterGauges>();
            if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Runner")))
                services.AddSingleton<IClusterState>(sp => new InMemoryClusterState(
                    sp.GetRequiredService<ISubmissionStore>(), sp.GetRequiredService<IWorkerLanguageRegistry>(), sp.GetRequiredService<TimeProvider>()));
            else
                services.AddSingleton<IClusterState, PostgresClusterState>();
        }
        if (roles.Worker) services.AddHostedService<SlotWatch>();

        var options = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        if (options.Enabled)
            services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(roles.Api ? roles.Worker ? "runner" : "runner-api" : "runner-worker"))
                .WithMetrics(m => m
                .AddMeter(Meters)
                // Every scrape collects afresh: the database gauges are read per scrape anyway.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>/metrics on the host's own HTTP port, behind <see cref="MetricsAccess"/>.</summary>
    public static IEndpointRouteBuilder MapRunnerMetrics(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        if (!services.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled) return endpoints;
        MapScrape(endpoints, services.GetRequiredService<MeterProvider>(), services.GetRequiredService<MetricsAccess>(), services.GetService<ClusterGauges>());
        return endpoints;
    }

    /// <summary>The scrape endpoint on any host, with the given provider (a worker's listener passes its host's).</summary>
    internal static void MapScrape(IEndpointRouteBuilder endpoints, MeterProvider provider, MetricsAccess access, ClusterGauges? gauges) =>
        endpoints.MapPrometheusScrapingEndpoint(Path, provider, branch => branch.Use(async (http, next) =>
        {
            if (!access.Allows(http))
            {
                await MetricsAccess.RefuseAsync(http);
                return;
            }
            if (gauges is not null) await gauges.RefreshAsync(http.RequestAborted);
            await next(http);
        }), optionsName: null).DisableHttpMetrics();

    /// <summary>Points the engine's slot gauges at this worker's slots.</summary>
    private sealed class SlotWatch(SandboxOptions sandbox) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            SandboxMetrics.WatchSlots(sandbox);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
