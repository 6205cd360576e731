using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Runner.Api.Callbacks;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Metrics;
using Runner.Api.Queue;
using Runner.Api.Storage;
using Runner.Judge;

namespace Runner.Api.Judging;

/// <summary>
/// The Hangfire job that judges one submission. Hangfire delivers at least once (a worker
/// killed mid-job leaves its job to reappear after the sliding invisibility timeout), so the job
/// claims the row with a lease first and stores with "only if not finished": however often it
/// runs, the submission is stored once and its callback is sent once.
/// </summary>
public sealed class JudgeSubmissionJob(
    ISubmissionStore store,
    ISubmissionJudge judge,
    WorkerIdentity worker,
    CompletionSignals signals,
    EventSignals events,
    RunningJudgements running,
    JudgeCapacity capacity,
    IBackgroundJobClient jobs,
    RunnerMetrics metrics,
    IOptions<RunnerOptions> options,
    ILogger<JudgeSubmissionJob> logger)
{
    public const string Queue = "judge";

    [Queue(Queue)]
    [AutomaticRetry(Attempts = 20, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(Guid submissionId, CancellationToken ct)
    {
        // A submission handed to this process's own worker holds the claim under this process's
        // name, which a delivery here would take as its own: it must not judge it a second time.
        if (running.IsJudging(submissionId)) throw new SubmissionLeasedElsewhereException(submissionId);
        var lease = QueueTimeouts.Lease(options.Value);
        // A worker of this process first (it may be judging a hand-off), so the submission stays
        // queued, not running, while it waits.
        var slot = await capacity.TakeAsync(ct);
        try
        {
            var claim = await store.TryClaimAsync(submissionId, worker.Id, lease, ct);
            // A dead worker's job comes back after the invisibility timeout, usually just after its
            // lease ran out, but it may still have a few seconds left: wait them out here rather
            // than fail into Hangfire's retry back-off (tens of seconds at least). A live holder
            // keeps renewing, so this gives up after two leases. The worker is not held meanwhile.
            for (var waited = TimeSpan.Zero; claim.Result == ClaimResult.HeldElsewhere && waited < 2 * lease; waited += lease / 4)
            {
                slot.Dispose();
                await Task.Delay(lease / 4, ct);
                slot = await capacity.TakeAsync(ct);
                claim = await store.TryClaimAsync(submissionId, worker.Id, lease, ct);
            }
            switch (claim.Result)
            {
                case ClaimResult.NotFound:
                    logger.LogWarning("Submission {Id} does not exist; dropping its job", submissionId);
                    return;
                case ClaimResult.AlreadyFinished:
                    logger.LogInformation("Submission {Id} is already finished; a repeated delivery does nothing", submissionId);
                    return;
                case ClaimResult.HeldElsewhere:
                    // Another live worker is judging it. Failing makes Hangfire retry later: by then
                    // either that worker stored the result (AlreadyFinished) or its lease expired.
                    throw new SubmissionLeasedElsewhereException(submissionId);
            }

            if (!await JudgeClaimedAsync(claim.Submission!, slot, ct))
                throw new SubmissionLeasedElsewhereException(submissionId);
        }
        finally
        {
            slot.Dispose();
        }
    }

    /// <summary>
    /// Judges a submission this process has just claimed and stores its result, whether a
    /// Hangfire delivery claimed it or the API handed it over (<see cref="LocalHandOff"/>).
    /// <paramref name="slot"/> (this process's count of busy judge workers) is released once the
    /// result is stored. False when this process is judging it already; an exception when the
    /// judge or the store failed, and the caller has it judged again (Hangfire's retry, or for a
    /// hand-off a Hangfire job).
    /// </summary>
    public async Task<bool> JudgeClaimedAsync(SubmissionRecord submission, IDisposable slot, CancellationToken ct)
    {
        using var held = slot;
        var submissionId = submission.Id;
        var lease = QueueTimeouts.Lease(options.Value);
        if (submission.Attempts > 1)
            logger.LogWarning("Submission {Id} is being judged again (attempt {Attempt}); an earlier worker did not finish it", submissionId, submission.Attempts);

        SubmissionResult result;
        IReadOnlyList<NewSubmissionEvent> lastEvents;
        var judging = running.TryStart(submissionId, ct);
        if (judging is null) return false;
        try
        {
            // A refused progress write means the claim is gone; if a DELETE finished the
            // submission, this is how a worker that missed the cancel NOTIFY still stops.
            var reporter = new JudgeReporter(store, events, submissionId, worker.Id, submission.Attempts, lease,
                () => _ = StopIfFinishedAsync(submissionId, judging), logger);
            using var heartbeat = new CancellationTokenSource();
            var renewing = RenewUntilAsync(reporter, lease / 4, heartbeat.Token);
            try
            {
                result = await judge.JudgeAsync(submission, reporter, judging.Token);
            }
            catch (OperationCanceledException) when (judging.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                // The DELETE stored the cancelled result already; the judge has killed the box.
                logger.LogInformation("Submission {Id} was cancelled while being judged; its box is killed", submissionId);
                await FinishWritesAsync(heartbeat, renewing, reporter.FlushAsync);
                return true;
            }
            catch
            {
                await FinishWritesAsync(heartbeat, renewing, reporter.FlushAsync);
                throw;
            }
            // The events not written yet go with the result, in its transaction.
            lastEvents = await FinishWritesAsync(heartbeat, renewing, reporter.CloseAsync);
        }
        finally
        {
            running.End(submissionId, judging);
            judging.Dispose();
        }

        SubmissionRecord? stored = null;
        signals.Storing(submissionId);
        try
        {
            stored = await StoreResultAsync(submissionId, result, lastEvents, ct);
        }
        finally
        {
            slot.Dispose();
            signals.Stored(submissionId, stored);
        }
        if (stored is not null)
        {
            metrics.Finished(result.Verdict, submission.Input.Language);
            events.Notify(submissionId);
            if (submission.Input.CallbackUrl is not null)
                jobs.Enqueue<CallbackJob>(j => j.SendAsync(submissionId, CancellationToken.None));
        }
        else
        {
            logger.LogInformation("Submission {Id} was stored by another delivery; this result is discarded", submissionId);
        }
        return true;
    }

    private static async Task<T> FinishWritesAsync<T>(CancellationTokenSource heartbeat, Task renewing, Func<Task<T>> finish)
    {
        await heartbeat.CancelAsync();
        await renewing;
        return await finish();
    }

    private static Task FinishWritesAsync(CancellationTokenSource heartbeat, Task renewing, Func<Task> finish) =>
        FinishWritesAsync(heartbeat, renewing, async () =>
        {
            await finish();
            return true;
        });

    /// <summary>
    /// A database blip while storing would otherwise fail the job and judge the submission again
    /// on Hangfire's retry; the result is already known, so keep offering it for a while.
    /// </summary>
    private async Task<SubmissionRecord?> StoreResultAsync(Guid id, SubmissionResult result, IReadOnlyList<NewSubmissionEvent> lastEvents, CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StoreAsync(id, result, lastEvents, ct);
            }
            catch (Exception e) when (attempt < 8 && Errors.StoreUnavailableExceptionHandler.Unavailable(e) is not null)
            {
                logger.LogWarning("Could not store the result of submission {Id} ({Error}); retrying in {Delay} s", id, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 15));
            }
        }
    }

    /// <summary>
    /// Stores the result; when the store refuses it for good (not a dropped connection), stores
    /// an internal_error saying why instead. Throwing would make Hangfire re-run the program up to
    /// 20 times, each run ending in the same refusal, with the submission stuck in "running".
    /// </summary>
    private async Task<SubmissionRecord?> StoreAsync(Guid submissionId, SubmissionResult result, IReadOnlyList<NewSubmissionEvent> lastEvents, CancellationToken ct)
    {
        try
        {
            return await store.CompleteAsync(submissionId, worker.Id, result, lastEvents, ct);
        }
        catch (Exception e) when (!StoreFaults.IsTransient(e, ct))
        {
            logger.LogError(e, "The result of submission {Id} could not be stored; storing an internal_error instead", submissionId);
            var fallback = new SubmissionResult(Verdict.InternalError, 0, null, [], $"the result could not be stored: {e.Message}");
            return await store.CompleteAsync(submissionId, worker.Id, fallback, lastEvents, ct);
        }
    }

    /// <summary>
    /// Re-reports the latest progress periodically so a long single test does not outlive the
    /// lease. Not at once: the claim has just set the lease and stored "starting", so a first
    /// write would only repeat it, on the path of every submission.
    /// </summary>
    private static async Task RenewUntilAsync(JudgeReporter reporter, TimeSpan period, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) reporter.Renew();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task StopIfFinishedAsync(Guid id, CancellationTokenSource judging)
    {
        try
        {
            if (await store.GetAsync(id, CancellationToken.None) is { Status: SubmissionStatus.Finished })
                await judging.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The judge ended meanwhile.
        }
        catch (Exception e)
        {
            logger.LogWarning("Submission {Id}: could not check whether it was cancelled ({Error})", id, e.Message);
        }
    }
}

public sealed class SubmissionLeasedElsewhereException(Guid id)
    : Exception($"submission {id} is being judged by another worker whose lease has not expired");
