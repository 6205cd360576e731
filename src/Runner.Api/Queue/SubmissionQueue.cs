using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Api.Judging;
using Runner.Api.Storage;

namespace Runner.Api.Queue;

/// <summary>Stores submissions and enqueues their judge jobs, refusing when the queue is over its bound.</summary>
public sealed class SubmissionQueue(
    ISubmissionStore store,
    IBackgroundJobClient jobs,
    IOptions<RunnerOptions> options,
    ILogger<SubmissionQueue> logger)
{
    /// <summary>False when accepting <paramref name="count"/> more would exceed Runner:Queue:MaxPending.</summary>
    public async Task<bool> HasRoomForAsync(int count, CancellationToken ct) =>
        await store.CountPendingAsync(ct) + count <= options.Value.Queue.MaxPending;

    public async Task SubmitAsync(IReadOnlyList<SubmissionRecord> submissions, CancellationToken ct)
    {
        // Insert first, then enqueue: a crash in between leaves a row with no job id, which the
        // recovery sweep enqueues later, so a submission is never silently stuck "queued".
        await store.InsertAsync(submissions, ct);
        foreach (var s in submissions) await EnqueueAsync(s.Id, ct);
    }

    public async Task EnqueueAsync(Guid id, CancellationToken ct)
    {
        var jobId = jobs.Enqueue<JudgeSubmissionJob>(j => j.RunAsync(id, CancellationToken.None));
        await store.MarkEnqueuedAsync(id, jobId, ct);
        logger.LogDebug("Submission {Id} enqueued as job {JobId}", id, jobId);
    }
}

/// <summary>Recurring job: enqueue submissions whose enqueue was lost to a crash.</summary>
public sealed class RecoverySweep(ISubmissionStore store, SubmissionQueue queue, ILogger<RecoverySweep> logger)
{
    [Queue(JudgeSubmissionJob.Queue)]
    [DisableConcurrentExecution(60)]
    public async Task RunAsync(CancellationToken ct)
    {
        foreach (var id in await store.ListNeverEnqueuedAsync(TimeSpan.FromMinutes(1), ct))
        {
            logger.LogWarning("Submission {Id} was stored but never enqueued; enqueueing it now", id);
            await queue.EnqueueAsync(id, ct);
        }
    }
}
