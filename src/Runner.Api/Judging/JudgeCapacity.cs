using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Api.Runs;

namespace Runner.Api.Judging;

/// <summary>
/// This process's judge workers (Runner:Queue:Workers): how many submissions and runs it judges
/// at once, whether a Hangfire delivery or a hand-off (<see cref="LocalHandOff"/>) brought them.
/// A Hangfire job waits here for a worker before it claims its submission (so it stays queued
/// meanwhile), and is served first; a hand-off only takes a worker nobody waits for.
/// </summary>
public sealed class JudgeCapacity(IOptions<RunnerOptions> options)
{
    private readonly int _workers = WorkerCount.Resolve(options.Value);
    private readonly Queue<TaskCompletionSource<IDisposable>> _waiters = new();
    private readonly Lock _gate = new();
    private int _busy;

    /// <summary>Raised (on the freeing thread) when a worker becomes idle and no Hangfire job was waiting for it.</summary>
    public event Action? Freed;

    public int Busy
    {
        get
        {
            lock (_gate) return _busy;
        }
    }

    /// <summary>A worker when one is idle and no Hangfire job waits; null otherwise.</summary>
    public IDisposable? TryTakeIdle()
    {
        lock (_gate)
        {
            if (_busy >= _workers || _waiters.Count > 0) return null;
            _busy++;
            return new Slot(this);
        }
    }

    /// <summary>A worker, once one is idle (in the order asked).</summary>
    public async Task<IDisposable> TakeAsync(CancellationToken ct)
    {
        TaskCompletionSource<IDisposable> waiter;
        lock (_gate)
        {
            if (_busy < _workers && _waiters.Count == 0)
            {
                _busy++;
                return new Slot(this);
            }
            waiter = new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }
        // A cancelled waiter stays in the queue and is skipped when a worker frees.
        await using (ct.Register(() => waiter.TrySetCanceled(ct)))
            return await waiter.Task;
    }

    private void Release()
    {
        lock (_gate)
        {
            while (_waiters.TryDequeue(out var next))
                if (next.TrySetResult(new Slot(this))) return;
            _busy--;
        }
        Freed?.Invoke();
    }

    private sealed class Slot(JudgeCapacity owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release();
        }
    }
}
