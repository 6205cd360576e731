using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Api.Judging;
using Runner.Api.Metrics;
using Runner.Api.Runs;
using Runner.Api.Storage;

namespace Runner.Api.Queue;

/// <summary>Stores submissions and enqueues their judge jobs, refusing when the queue is over its bound.</summary>
public sealed class SubmissionQueue(
    ISubmissionStore store,
    IBackgroundJobClient jobs,
    LocalHandOff handOff,
    EnqueueRetry retry,
    RunnerMetrics metrics,
    IOptions<RunnerOptions> options,
    ILogger<SubmissionQueue> logger)
{
    /// <summary>False when accepting <paramref name="count"/> more would exceed Runner:Queue:MaxPending.</summary>
    public async Task<bool> HasRoomForAsync(int count, CancellationToken ct) =>
        await store.CountPendingAsync(ct) + count <= options.Value.Queue.MaxPending;

    /// <summary>
    /// Stores, then hands each submission to an idle judge worker of this process
    /// (<see cref="LocalHandOff"/>) or enqueues it. Once the rows are stored the submissions are
    /// accepted, whatever happens to the enqueue: a row left without a job is enqueued by
    /// <see cref="EnqueueRetry"/> (or, should this process die, by the recovery sweep), so a
    /// failed enqueue is logged, never reported to the client as a failure it would resubmit.
    /// </summary>
    public async Task<IReadOnlyList<InsertOutcome>> SubmitAsync(IReadOnlyList<SubmissionRecord> submissions, CancellationToken ct)
    {
        var outcomes = await store.InsertAsync(submissions, ct);
        foreach (var o in outcomes.Where(o => o.Inserted))
        {
            metrics.Received(o.Stored.Input.Language);
            if (handOff.TryHandOff(o.Stored)) continue;
            try
            {
                // Not the request's token: a client hanging up after the insert must not leave
                // its submission waiting for the sweep.
                await EnqueueAsync(o.Stored.Id, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning("Submission {Id} is stored but its enqueue failed ({Error}); retrying in the background", o.Stored.Id, e.Message);
                retry.Add(o.Stored.Id);
            }
        }
        return outcomes;
    }

    public async Task EnqueueAsync(Guid id, CancellationToken ct)
    {
        var jobId = jobs.Enqueue<JudgeSubmissionJob>(j => j.RunAsync(id, CancellationToken.None));
        await store.MarkEnqueuedAsync(id, jobId, ct);
        logger.LogDebug("Submission {Id} enqueued as job {JobId}", id, jobId);
    }
}

/// <summary>
/// Recurring job: enqueues what no Hangfire job and no live worker holds: submissions and runs
/// whose enqueue was lost to a crash or a database fault, and submissions handed to a worker in
/// an API process that died or stopped while judging them (their lease expired).
/// </summary>
public sealed class RecoverySweep(ISubmissionStore store, IRunStore runs, SubmissionQueue queue, IBackgroundJobClient jobs, ILogger<RecoverySweep> logger)
{
    public static readonly TimeSpan Age = TimeSpan.FromMinutes(1);

    [Queue(JudgeSubmissionJob.Queue)]
    [DisableConcurrentExecution(60)]
    public async Task RunAsync(CancellationToken ct)
    {
        foreach (var id in await store.ListWithoutJobAsync(Age, ct))
        {
            logger.LogWarning("Submission {Id} has no job and no live worker (its enqueue was lost, or the process judging it died); enqueueing it now", id);
            await queue.EnqueueAsync(id, ct);
        }
        foreach (var id in await runs.ListWithoutJobAsync(Age, ct))
        {
            logger.LogWarning("Run {Id} was stored but never enqueued; enqueueing it now", id);
            await RunsApi.EnqueueAsync(id, jobs, runs, ct);
        }
    }
}
