using System.Collections.Concurrent;

namespace Runner.Api.Judging;

/// <summary>
/// The submissions this process is judging, each with the token that stops its judge: a
/// cancel (DELETE, heard directly in this process or through <see cref="CancellationListener"/>)
/// cancels it, and the judge kills the running box.
/// </summary>
public sealed class RunningJudgements
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    public CancellationTokenSource Start(Guid id, CancellationToken ct)
    {
        var judging = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _running[id] = judging;
        return judging;
    }

    public void End(Guid id, CancellationTokenSource judging) => _running.TryRemove(KeyValuePair.Create(id, judging));

    /// <summary>True when this process was judging it.</summary>
    public bool Cancel(Guid id)
    {
        if (!_running.TryGetValue(id, out var judging)) return false;
        try
        {
            judging.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
        }
        return true;
    }
}
