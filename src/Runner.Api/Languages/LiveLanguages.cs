using Runner.Api.Contracts;

namespace Runner.Api.Languages;

/// <summary>
/// The API role's view: the languages some live worker recorded, refreshed in the background
/// so validating a request never waits for the database.
/// </summary>
public sealed class LiveLanguages(IWorkerLanguageRegistry registry, ILogger<LiveLanguages> logger) : IHostedService
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    // Never disposed: the host may stop a service after disposing the container, and a
    // CancellationTokenSource without timers holds nothing that needs releasing.
    private readonly CancellationTokenSource _stop = new();
    private Task _refreshing = Task.CompletedTask;
    private volatile IReadOnlyList<LanguageView> _current = [];
    private bool _failing;

    public IReadOnlyList<LanguageView> Available => _current;

    public async Task StartAsync(CancellationToken ct)
    {
        await RefreshAsync(ct);
        _refreshing = RefreshLoopAsync(_stop.Token);
    }

    private async Task RefreshLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(RefreshEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) await RefreshAsync(stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        try
        {
            _current = await registry.ListLiveAsync(ct);
            _failing = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The last list stays in use; the database health check reports the outage.
            if (!_failing) logger.LogWarning(e, "Could not read the workers' languages; keeping the last list");
            _failing = true;
        }
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _refreshing;
    }
}
