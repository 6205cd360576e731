using System.Collections.Concurrent;
using Hangfire;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Api.Queue;
using Runner.Api.Storage;

namespace Runner.Api.Judging;

/// <summary>
/// The fast path of a process with both roles: a submission just stored goes straight to an
/// idle judge worker of this process, or, when all are busy, waits here a short while for the
/// first to become idle. It is claimed in the store under this process's name (the same claim
/// and lease a Hangfire delivery takes, so exactly-once holds across processes), judged and
/// stored, with none of Hangfire's fetch and state writes on its path.
/// <para>
/// Hangfire stays the durable fallback. A submission that waited <c>HandOffWaitSeconds</c>
/// without a worker, that finds the line full, whose claim fails, or whose judge or store fails
/// gets a Hangfire job as before, which any worker process may take. If this process dies, a
/// waiting submission is a queued row without a job, and one being judged is a running row
/// whose lease expires: the recovery sweep of any worker enqueues both
/// (<see cref="ISubmissionStore.ListWithoutJobAsync"/>).
/// </para>
/// </summary>
public sealed class LocalHandOff : IHostedService
{
    private readonly ISubmissionStore _store;
    private readonly JudgeCapacity _capacity;
    private readonly WorkerIdentity _worker;
    private readonly IServiceProvider _services;
    private readonly IBackgroundJobClient _jobs;
    private readonly RunnerOptions _options;
    private readonly ILogger<LocalHandOff> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Guid, Task> _judging = new();
    private readonly ConcurrentQueue<Waiting> _line = new();
    private readonly int _maxWaiting;
    private int _waiting;

    public LocalHandOff(
        ISubmissionStore store,
        JudgeCapacity capacity,
        WorkerIdentity worker,
        IServiceProvider services,
        IBackgroundJobClient jobs,
        RunnerRoles roles,
        IOptions<RunnerOptions> options,
        ILogger<LocalHandOff> logger)
    {
        _store = store;
        _capacity = capacity;
        _worker = worker;
        _services = services;
        _jobs = jobs;
        _options = options.Value;
        _logger = logger;
        // Only where this process judges too: an api-only host has no worker to hand to, and a
        // worker-only one receives no submissions.
        Enabled = roles is { Api: true, Worker: true } && _options.Queue.HandOff;
        _maxWaiting = 16 * Runs.WorkerCount.Resolve(_options);
        if (Enabled) capacity.Freed += Drain;
    }

    public bool Enabled { get; }

    /// <summary>
    /// True when the submission needs no Hangfire job now: an idle worker of this process takes
    /// it, or it waits here for one (and gets a job should none become idle in time). False:
    /// enqueue it as usual.
    /// </summary>
    public bool TryHandOff(SubmissionRecord stored)
    {
        if (!Enabled || _stopping.IsCancellationRequested) return false;
        if (Volatile.Read(ref _waiting) == 0 && _capacity.TryTakeIdle() is { } slot)
        {
            Start(stored, slot);
            return true;
        }
        if (Interlocked.Increment(ref _waiting) > _maxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            return false;
        }
        var entry = new Waiting(stored);
        _line.Enqueue(entry);
        _ = ExpireAsync(entry);
        // A worker may have become idle between the check above and the enqueue.
        Drain();
        return true;
    }

    /// <summary>Gives idle workers the submissions waiting in line, oldest first.</summary>
    private void Drain()
    {
        if (_stopping.IsCancellationRequested) return;
        while (!_line.IsEmpty && _capacity.TryTakeIdle() is { } slot)
        {
            Waiting? next = null;
            while (next is null && _line.TryDequeue(out var entry))
                if (entry.TryTake())
                {
                    Interlocked.Decrement(ref _waiting);
                    next = entry;
                }
            if (next is null)
            {
                slot.Dispose();
                return;
            }
            Start(next.Submission, slot);
        }
    }

    /// <summary>A submission no worker of this process took in time goes to Hangfire, where any worker process may take it.</summary>
    private async Task ExpireAsync(Waiting entry)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, _options.Queue.HandOffWaitSeconds)), _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: it goes to Hangfire now.
        }
        if (!entry.TryTake()) return;
        Interlocked.Decrement(ref _waiting);
        await FallBackAsync(entry.Submission.Id);
    }

    private void Start(SubmissionRecord submission, IDisposable slot)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _judging[submission.Id] = done.Task;
        _ = Task.Run(async () =>
        {
            try
            {
                await ClaimAndJudgeAsync(submission.Id, slot);
            }
            finally
            {
                _judging.TryRemove(submission.Id, out _);
                done.SetResult();
            }
        });
    }

    private async Task ClaimAndJudgeAsync(Guid id, IDisposable slot)
    {
        ClaimOutcome claim;
        try
        {
            claim = await _store.TryClaimAsync(id, _worker.Id, QueueTimeouts.Lease(_options), CancellationToken.None);
        }
        catch (Exception e)
        {
            // The claim may have been stored all the same: the Hangfire job, in this process or
            // another, takes it over (a claim names the process; elsewhere, once the lease expired).
            slot.Dispose();
            _logger.LogWarning("Submission {Id}: the hand-off's claim failed ({Error}); queueing it instead", id, e.Message);
            await FallBackAsync(id);
            return;
        }
        if (claim.Result != ClaimResult.Claimed)
        {
            // Finished (a DELETE cancelled it while it waited) or gone: nothing to judge.
            slot.Dispose();
            if (claim.Result == ClaimResult.HeldElsewhere) await FallBackAsync(id);
            return;
        }

        try
        {
            var job = _services.GetRequiredService<JudgeSubmissionJob>();
            if (!await job.JudgeClaimedAsync(claim.Submission!, slot, _stopping.Token))
                _logger.LogWarning("Submission {Id} was handed off while this process was judging it already", id);
        }
        catch (Exception e)
        {
            slot.Dispose();
            if (_stopping.IsCancellationRequested)
                _logger.LogInformation("Submission {Id}: this process is stopping; queueing it for another worker", id);
            else
                _logger.LogWarning(e, "Submission {Id}: judging it after a hand-off failed; queueing it to be judged again", id);
            await FallBackAsync(id);
        }
    }

    /// <summary>What a failed Hangfire job gets: another delivery. Should even that fail, the recovery sweep enqueues it.</summary>
    private async Task FallBackAsync(Guid id)
    {
        try
        {
            var jobId = _jobs.Enqueue<JudgeSubmissionJob>(j => j.RunAsync(id, CancellationToken.None));
            await _store.MarkEnqueuedAsync(id, jobId, CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogWarning("Submission {Id} could not be queued after its hand-off ({Error}); the recovery sweep takes it", id, e.Message);
        }
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Sends the waiting submissions to Hangfire, stops the judgements in flight (their boxes are
    /// killed) and queues those submissions for the next worker.
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        while (_line.TryDequeue(out var entry))
            if (entry.TryTake())
            {
                Interlocked.Decrement(ref _waiting);
                await FallBackAsync(entry.Submission.Id);
            }
        try
        {
            await Task.WhenAll(_judging.Values).WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("{Count} handed-off submissions were still stopping at shutdown; the recovery sweep takes them", _judging.Count);
        }
    }

    private sealed class Waiting(SubmissionRecord submission)
    {
        private int _taken;

        public SubmissionRecord Submission { get; } = submission;

        /// <summary>Once: by the worker that judges it, or by the expiry that queues it.</summary>
        public bool TryTake() => Interlocked.Exchange(ref _taken, 1) == 0;
    }
}
