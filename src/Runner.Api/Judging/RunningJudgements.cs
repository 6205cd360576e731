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

    /// <summary>
    /// The token that stops this judgement; null when this process is judging the submission
    /// already (a hand-off and a Hangfire delivery hold the same claim, since the claim names the
    /// process: the second must not judge it again).
    /// </summary>
    public CancellationTokenSource? TryStart(Guid id, CancellationToken ct)
    {
        var judging = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (_running.TryAdd(id, judging)) return judging;
        judging.Dispose();
        return null;
    }

    public bool IsJudging(Guid id) => _running.ContainsKey(id);

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
