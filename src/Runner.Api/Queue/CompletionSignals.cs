using System.Collections.Concurrent;

namespace Runner.Api.Queue;

/// <summary>
/// Wakes ?wait=true requests when their submission finishes: directly when it is stored in
/// this process, and through <see cref="Storage.FinishedSubmissionListener"/> (one LISTEN connection
/// for the whole process) when a worker elsewhere stores it. Waiters hold no database
/// connection while they wait, so a thousand of them cost the database nothing.
/// </summary>
public sealed class CompletionSignals : SubmissionSignals
{
    private readonly ConcurrentDictionary<Guid, byte> _storing = new();

    /// <summary>
    /// This process is storing the result of <paramref name="id"/> and will wake its waiters with
    /// it (<see cref="Stored"/>): the database's notification of it is not needed, and would only
    /// make a waiter read back what it is about to be handed.
    /// </summary>
    public void Storing(Guid id) => _storing[id] = 0;

    /// <summary>Ends <see cref="Storing"/>: wakes the waiters with the finished submission, or with nothing (they read the store) when it was not stored here.</summary>
    public void Stored(Guid id, Storage.SubmissionRecord? finished)
    {
        _storing.TryRemove(id, out _);
        Notify(id, finished);
    }

    /// <summary>The database says <paramref name="id"/> finished (a NOTIFY heard by the listener).</summary>
    public void NotifyFinishedElsewhere(Guid id)
    {
        if (!_storing.ContainsKey(id)) Notify(id);
    }
}

/// <summary>
/// Wakes event streams (GET .../events) when their submission has new events or finished, the
/// same way <see cref="CompletionSignals"/> wakes ?wait=true requests.
/// </summary>
public sealed class EventSignals : SubmissionSignals;

/// <summary>Wakes POST /runs?wait=true requests when their run finishes.</summary>
public sealed class RunCompletionSignals : SubmissionSignals;

/// <summary>Per-submission wake-ups for requests that wait without holding a database connection.</summary>
public abstract class SubmissionSignals
{
    private readonly Dictionary<Guid, TaskCompletionSource<object?>> _waiters = [];
    private readonly Lock _gate = new();

    /// <summary>
    /// Completes when <paramref name="id"/> may have finished: on its notification, or when
    /// notifications may have been missed (<see cref="WakeAll"/>). The caller checks the store
    /// after waking, and registers again before checking, so no notification falls in between;
    /// unless the wake-up carries the new state itself (<see cref="Notify(Guid, object?)"/>).
    /// </summary>
    public Task<object?> NextAsync(Guid id)
    {
        lock (_gate)
        {
            if (!_waiters.TryGetValue(id, out var tcs))
                _waiters[id] = tcs = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
            return tcs.Task;
        }
    }

    /// <summary>Drops the entry of a waiter that gave up; other waiters on the same id register again after waking.</summary>
    public void Forget(Guid id) => Notify(id, null);

    /// <summary>Wakes the waiters of <paramref name="id"/>, handing them <paramref name="state"/> when the caller has it (null: read the store).</summary>
    public void Notify(Guid id, object? state = null)
    {
        lock (_gate)
            if (_waiters.Remove(id, out var tcs)) tcs.TrySetResult(state);
    }

    /// <summary>Every waiter checks the store again: the listener lost its connection and may have missed notifications.</summary>
    public void WakeAll()
    {
        List<TaskCompletionSource<object?>> all;
        lock (_gate)
        {
            all = [.. _waiters.Values];
            _waiters.Clear();
        }
        foreach (var tcs in all) tcs.TrySetResult(null);
    }
}
