using System.Collections.Concurrent;

namespace Runner.Api.Queue;

/// <summary>
/// Wakes ?wait=true requests the moment a submission finishes in this process. Results stored
/// by a worker in another process are seen by the waiters' polling instead.
/// </summary>
public sealed class CompletionSignals
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiters = new();

    public Task WaitAsync(Guid id) =>
        _waiters.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(Guid id) => _waiters.TryRemove(id, out _);

    public void Notify(Guid id)
    {
        if (_waiters.TryRemove(id, out var tcs)) tcs.TrySetResult();
    }
}
