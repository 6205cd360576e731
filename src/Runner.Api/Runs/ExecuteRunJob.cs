using Hangfire;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Api.Judging;
using Runner.Api.Queue;
using Runner.Api.Storage;

namespace Runner.Api.Runs;

/// <summary>
/// The Hangfire job that executes one run on a worker, on the judge queue beside submissions,
/// so runs scale with the workers and the API host needs no sandbox rights. Claimed with a
/// lease like a submission (<see cref="JudgeSubmissionJob"/>), so a repeated delivery does
/// not run the commands again while the first lives, and the outcome is stored once.
/// </summary>
public sealed class ExecuteRunJob(
    IRunStore store,
    RunExecutor executor,
    WorkerIdentity worker,
    RunCompletionSignals signals,
    JudgeCapacity capacity,
    IOptions<RunnerOptions> options,
    ILogger<ExecuteRunJob> logger)
{
    [Queue(JudgeSubmissionJob.Queue)]
    [AutomaticRetry(Attempts = 20, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(Guid runId, CancellationToken ct)
    {
        var lease = QueueTimeouts.Lease(options.Value);
        // Busy like a judge job: runs and submissions share this process's workers.
        using var busy = await capacity.TakeAsync(ct);
        var (claim, run) = await store.TryClaimAsync(runId, worker.Id, lease, ct);
        for (var waited = TimeSpan.Zero; claim == ClaimResult.HeldElsewhere && waited < 2 * lease; waited += lease / 4)
        {
            await Task.Delay(lease / 4, ct);
            (claim, run) = await store.TryClaimAsync(runId, worker.Id, lease, ct);
        }
        switch (claim)
        {
            case ClaimResult.NotFound:
            case ClaimResult.AlreadyFinished:
                return;
            case ClaimResult.HeldElsewhere:
                throw new InvalidOperationException($"run {runId} is being executed by another worker whose lease has not expired");
        }

        RunOutcome outcome;
        using (var heartbeat = new CancellationTokenSource())
        {
            var renewing = RenewUntilAsync(runId, lease, heartbeat.Token);
            try
            {
                outcome = new RunOutcome(await executor.RunAsync(run!.Input, ct), null);
            }
            catch (RunRequestException e)
            {
                outcome = new RunOutcome(null, new Contracts.RunError(e.Field, e.Message));
            }
            finally
            {
                await heartbeat.CancelAsync();
                await renewing;
            }
        }
        if (await store.CompleteAsync(runId, outcome, ct)) signals.Notify(runId);
    }

    private async Task RenewUntilAsync(Guid id, TimeSpan lease, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(lease / 4);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await store.RenewAsync(id, worker.Id, lease, stop);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    logger.LogWarning("Could not renew the lease of run {Id} ({Error})", id, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
