using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Queue;

namespace Runner.Api.Languages;

/// <summary>
/// The worker role's half of language discovery: detect what this host can judge (each probe is
/// a box, so only a worker can do it) and record it in the shared registry, renewed by a
/// heartbeat. API hosts learn the languages from there.
/// </summary>
public sealed class LanguageAdvertiser(
    IAvailableLanguages local,
    IWorkerLanguageRegistry registry,
    WorkerIdentity worker,
    IOptions<RunnerOptions> options,
    ILogger<LanguageAdvertiser> logger) : IHostedService
{
    // Never disposed: the host may stop a service after disposing the container, and a
    // CancellationTokenSource without timers holds nothing that needs releasing.
    private readonly CancellationTokenSource _stop = new();
    private Task _renewing = Task.CompletedTask;
    private string? _announced;

    /// <summary>The first record is made before the host counts as started, so an API in the same process accepts submissions from its first request.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await RecordAsync(ct);
        _renewing = RenewAsync(_stop.Token);
    }

    private async Task RenewAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.Languages.HeartbeatSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) await RecordAsync(stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RecordAsync(CancellationToken ct)
    {
        var settings = options.Value.Languages;
        try
        {
            var languages = await Task.Run(() => local.Available, ct);
            await registry.RecordAsync(worker.Id, languages, TimeSpan.FromSeconds(settings.ExpirySeconds), ct);
            var summary = string.Join(", ", languages.Select(l => $"{l.Id} {l.Version}"));
            if (summary == _announced) return;
            _announced = summary;
            if (languages.Count == 0)
                logger.LogWarning("Worker {Worker} can judge no language (see the messages above); the API refuses submissions this worker would get", worker.Id);
            else
                logger.LogInformation("Worker {Worker} recorded its languages for the API: {Languages}", worker.Id, summary);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not record this worker's languages; retrying in {Seconds} s", settings.HeartbeatSeconds);
        }
    }

    public async Task StopAsync(CancellationToken ct)
    {
        // The record is left to expire rather than deleted: a worker restarting (a deploy) does
        // not turn submissions away in between.
        await _stop.CancelAsync();
        await _renewing;
    }
}
