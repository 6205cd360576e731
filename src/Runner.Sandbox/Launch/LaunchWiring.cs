using Runner.Sandbox.Native;

namespace Runner.Sandbox.Launch;

/// <summary>
/// What one box of a connected pair gets from <see cref="ConnectedLaunch"/> instead of making it
/// itself: a slot taken together with its partner's, stdin and stdout fds that are the pair's
/// pipes (the launcher owns and closes them), and a start gate shared with the partner.
/// </summary>
internal sealed class LaunchWiring(BoxSlot slot, int stdinFd, int stdoutFd, StartGate gate)
{
    private BoxSlot? _slot = slot;
    private bool _arrived;

    public int StdinFd { get; } = stdinFd;
    public int StdoutFd { get; } = stdoutFd;

    /// <summary>CLOCK_MONOTONIC (ns) when the gate opened and the go byte was about to be sent; 0 if it never was.</summary>
    public long GoNanoseconds { get; private set; }

    /// <summary>Hands the slot to the launcher, once; it disposes it like one it acquired.</summary>
    public BoxSlot TakeSlot()
    {
        var taken = _slot ?? throw new InvalidOperationException("the slot was already taken");
        _slot = null;
        return taken;
    }

    /// <summary>
    /// Waits until the partner is prepared too, so both programs start together: neither's wall
    /// clock runs while the other is still being built.
    /// </summary>
    public void ArriveAndWait(CancellationToken cancellationToken)
    {
        _arrived = true;
        gate.ArriveAndWait(cancellationToken);
        GoNanoseconds = Libc.MonotonicNanoseconds();
    }

    /// <summary>
    /// At the end of the launch: a launch that failed before the gate lets the partner go on
    /// without it, and one that failed before taking its slot frees it.
    /// </summary>
    public void Withdraw()
    {
        _slot?.Dispose();
        _slot = null;
        if (_arrived) return;
        _arrived = true;
        gate.Withdraw();
    }
}

/// <summary>Opens once every party has arrived or withdrawn.</summary>
internal sealed class StartGate(int parties) : IDisposable
{
    private readonly ManualResetEventSlim _open = new();
    private int _pending = parties;

    public void ArriveAndWait(CancellationToken cancellationToken)
    {
        Withdraw();
        _open.Wait(cancellationToken);
    }

    public void Withdraw()
    {
        if (Interlocked.Decrement(ref _pending) == 0) _open.Set();
    }

    public void Dispose() => _open.Dispose();
}
