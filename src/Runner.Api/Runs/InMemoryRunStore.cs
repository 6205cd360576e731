using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Storage;

namespace Runner.Api.Runs;

/// <summary>Runs in memory, for the zero-setup default (<see cref="InMemorySubmissionStore"/>).</summary>
public sealed class InMemoryRunStore(TimeProvider clock, IOptions<RunnerOptions> options) : IRunStore
{
    private sealed record Entry(RunRecord Run, string? Worker, DateTimeOffset LeaseUntil, string? JobId = null);

    private readonly Dictionary<Guid, Entry> _rows = [];
    private readonly Queue<Guid> _finished = new();
    private readonly Lock _gate = new();

    public Task InsertAsync(RunRecord run, CancellationToken ct)
    {
        lock (_gate) _rows[run.Id] = new Entry(run, null, DateTimeOffset.MinValue);
        return Task.CompletedTask;
    }

    public Task<RunRecord?> GetAsync(Guid id, CancellationToken ct)
    {
        lock (_gate) return Task.FromResult(_rows.TryGetValue(id, out var e) ? e.Run : null);
    }

    public Task<long> CountPendingAsync(CancellationToken ct)
    {
        lock (_gate) return Task.FromResult((long)_rows.Values.Count(e => e.Run.Status != SubmissionStatus.Finished));
    }

    public Task<(ClaimResult Result, RunRecord? Run)> TryClaimAsync(Guid id, string worker, TimeSpan lease, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var e)) return Task.FromResult<(ClaimResult, RunRecord?)>((ClaimResult.NotFound, null));
            if (e.Run.Status == SubmissionStatus.Finished) return Task.FromResult<(ClaimResult, RunRecord?)>((ClaimResult.AlreadyFinished, e.Run));
            var now = clock.GetUtcNow();
            if (e.Worker is not null && e.Worker != worker && e.LeaseUntil > now) return Task.FromResult<(ClaimResult, RunRecord?)>((ClaimResult.HeldElsewhere, e.Run));
            var run = e.Run with { Status = SubmissionStatus.Running, StartedAt = e.Run.StartedAt ?? now, Attempts = e.Run.Attempts + 1 };
            _rows[id] = e with { Run = run, Worker = worker, LeaseUntil = now + lease };
            return Task.FromResult<(ClaimResult, RunRecord?)>((ClaimResult.Claimed, run));
        }
    }

    public Task RenewAsync(Guid id, string worker, TimeSpan lease, CancellationToken ct)
    {
        lock (_gate)
            if (_rows.TryGetValue(id, out var e) && e.Worker == worker && e.Run.Status == SubmissionStatus.Running)
                _rows[id] = e with { LeaseUntil = clock.GetUtcNow() + lease };
        return Task.CompletedTask;
    }

    public Task<bool> CompleteAsync(Guid id, RunOutcome outcome, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var e) || e.Run.Status == SubmissionStatus.Finished) return Task.FromResult(false);
            _rows[id] = new Entry(e.Run with { Status = SubmissionStatus.Finished, Outcome = outcome, FinishedAt = clock.GetUtcNow() }, null, DateTimeOffset.MinValue);
            _finished.Enqueue(id);
            while (_finished.Count > Math.Max(0, options.Value.Retention.MaxInMemoryFinished) && _finished.TryDequeue(out var oldest))
                _rows.Remove(oldest);
            return Task.FromResult(true);
        }
    }

    public Task MarkEnqueuedAsync(Guid id, string jobId, CancellationToken ct)
    {
        lock (_gate)
            if (_rows.TryGetValue(id, out var e)) _rows[id] = e with { JobId = jobId };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Guid>> ListWithoutJobAsync(TimeSpan age, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - age;
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Guid>>(_rows.Values
                .Where(e => e.Run.Status == SubmissionStatus.Queued && e.JobId is null && e.Run.CreatedAt < cutoff)
                .Select(e => e.Run.Id).ToList());
    }

    public Task<int> DeleteFinishedBeforeAsync(TimeSpan age, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - age;
        lock (_gate)
        {
            var deleted = 0;
            while (_finished.TryPeek(out var oldest) && (!_rows.TryGetValue(oldest, out var e) || e.Run.FinishedAt < cutoff))
            {
                _finished.Dequeue();
                if (_rows.Remove(oldest)) deleted++;
            }
            return Task.FromResult(deleted);
        }
    }
}
