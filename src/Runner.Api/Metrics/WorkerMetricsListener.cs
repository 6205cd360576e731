using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Runner.Api.Metrics;

/// <summary>
/// The standalone worker serves no HTTP, so it gets a small Kestrel of its own for /metrics, on
/// Runner:Metrics:Address and Port. Metrics never stop judging: a port already taken (a second
/// worker on the host with the same setting) is logged, and the worker runs without them.
/// </summary>
public sealed class WorkerMetricsListener(
    IOptions<MetricsOptions> options,
    IServiceProvider services,
    MetricsAccess access,
    ILogger<WorkerMetricsListener> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (!o.Enabled || o.Port == 0) return;
        if (!IPAddress.TryParse(o.Address, out var address))
            throw new InvalidOperationException($"{MetricsOptions.Section}:Address: expected an IP address such as 127.0.0.1 or 0.0.0.0, got '{o.Address}'");
        // The empty builder reads no configuration files and watches nothing: this host has one endpoint.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(address, o.Port));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        MetricsEndpoint.MapScrape(app, services.GetRequiredService<MeterProvider>(), access, gauges: null);
        try
        {
            await app.StartAsync(ct);
            _app = app;
            logger.LogInformation("Worker metrics at http://{Address}:{Port}{Path}", o.Address, o.Port, MetricsEndpoint.Path);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            logger.LogError("Worker metrics cannot listen on {Address}:{Port} ({Error}); this worker judges without /metrics. Set Runner:Metrics:Port to a free port (0 turns the listener off).",
                o.Address, o.Port, e.Message);
        }
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_app is not null) await _app.StopAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
