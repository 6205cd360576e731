using System.Collections.Concurrent;
using Runner.Api.Storage;

namespace Runner.Api.Queue;

/// <summary>
/// Submissions whose row was stored but whose enqueue failed (the database went away between
/// the two): retried here every few seconds for two minutes, so they are judged soon after the
/// database is back rather than at the next recovery sweep. The sweep stays the backstop for a
/// process that dies in between.
/// </summary>
public sealed class EnqueueRetry(IServiceScopeFactory scopes, ILogger<EnqueueRetry> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _pending = new();

    public void Add(Guid id) => _pending.TryAdd(id, DateTimeOffset.UtcNow);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
                foreach (var (id, since) in _pending)
                    await RetryAsync(id, since, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task RetryAsync(Guid id, DateTimeOffset since, CancellationToken stop)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var store = scope.ServiceProvider.GetRequiredService<ISubmissionStore>();
            if (await store.GetAsync(id, stop) is { JobId: null, Status: Contracts.SubmissionStatus.Queued })
                await scope.ServiceProvider.GetRequiredService<SubmissionQueue>().EnqueueAsync(id, stop);
            _pending.TryRemove(id, out _);
            logger.LogInformation("Submission {Id} enqueued on a retry", id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (DateTimeOffset.UtcNow - since < GiveUpAfter) return;
            _pending.TryRemove(id, out _);
            logger.LogWarning("Submission {Id}: enqueue still failing after {Minutes} min ({Error}); leaving it to the recovery sweep", id, GiveUpAfter.TotalMinutes, e.Message);
        }
    }
}
