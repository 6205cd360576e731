using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Launch;

/// <summary>
/// Two boxes whose stdio are crossed pipes (first's stdout is second's stdin and the other way
/// round), each launched by <see cref="Launcher"/> with its own slot, cgroup and limits, on two
/// threads, both programs let go at the same moment.
/// </summary>
internal static class ConnectedLaunch
{
    public static ConnectedResult Run(SandboxSpec first, SandboxSpec second, SandboxOptions options,
        ICgroupHierarchy hierarchy, CancellationToken cancellationToken)
    {
        BoxSlot a, b;
        try
        {
            (a, b) = AcquirePair(options, cancellationToken);
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            return Failed($"launch step slot failed ({e.Message})");
        }

        var pipes = new FdSet();
        using var gate = new StartGate(2);
        LaunchWiring wiringA, wiringB;
        try
        {
            var (toFirst, fromSecond) = pipes.Pipe();
            var (toSecond, fromFirst) = pipes.Pipe();
            wiringA = new LaunchWiring(a, stdinFd: toFirst, stdoutFd: fromFirst, gate);
            wiringB = new LaunchWiring(b, stdinFd: toSecond, stdoutFd: fromSecond, gate);
            pipes.Release(toFirst, fromSecond, toSecond, fromFirst);
        }
        catch (IOException e)
        {
            pipes.Dispose();
            a.Dispose();
            b.Dispose();
            return Failed($"launch step clone failed ({e.Message})");
        }

        var secondRun = Task.Factory.StartNew(() => Launcher.Run(second, options, hierarchy, cancellationToken, wiringB),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        SandboxResult firstResult;
        try
        {
            firstResult = Launcher.Run(first, options, hierarchy, cancellationToken, wiringA);
        }
        finally
        {
            // Never return (or throw) while the partner box still runs.
            ((IAsyncResult)secondRun).AsyncWaitHandle.WaitOne();
        }
        var secondResult = secondRun.GetAwaiter().GetResult();

        var start = Math.Min(Started(wiringA, wiringB), Started(wiringB, wiringA));
        return new ConnectedResult(firstResult, secondResult, EndedAt(firstResult, start), EndedAt(secondResult, start));
    }

    /// <summary>
    /// Both slots or none. One pair at a time takes its two slots (under a host-wide lock), so
    /// pairs never each hold one slot while waiting for a second one the other holds; single
    /// boxes always end, so the second slot always comes.
    /// </summary>
    private static (BoxSlot, BoxSlot) AcquirePair(SandboxOptions options, CancellationToken cancellationToken)
    {
        var state = StateDirectory.Resolve(options);
        var slots = Path.Combine(state, "slots");
        Directory.CreateDirectory(slots);
        var lockFd = Libc.open(Path.Combine(slots, "pair.lock"), Libc.ORdwr | Libc.OCreat | Libc.OCloexec, 0x180);
        if (lockFd < 0) throw new IOException($"cannot open the pair lock in {slots}: {ErrnoName.Describe(Libc.Errno)}");
        try
        {
            var deadline = DateTime.UtcNow + options.SlotWait;
            while (Libc.flock(lockFd, Libc.LockExclusive | Libc.LockNonblocking) != 0)
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"another pair of connected boxes held the pair lock for {options.SlotWait.TotalSeconds:0} s");
                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(20);
            }
            var a = BoxSlot.Acquire(options, state, options.SlotWait, cancellationToken);
            try
            {
                return (a, BoxSlot.Acquire(options, state, options.SlotWait, cancellationToken));
            }
            catch
            {
                a.Dispose();
                throw;
            }
        }
        finally
        {
            Libc.close(lockFd);
        }
    }

    private static long Started(LaunchWiring wiring, LaunchWiring partner) =>
        wiring.GoNanoseconds != 0 ? wiring.GoNanoseconds : partner.GoNanoseconds;

    private static double EndedAt(SandboxResult result, long start) =>
        start == 0 || result.EndedNanoseconds == 0 ? 0 : Math.Max(0, result.EndedNanoseconds - start) / 1e9;

    internal static ConnectedResult Failed(string message)
    {
        var failed = new SandboxResult { Status = SandboxStatus.InternalError, FailedStep = LaunchStep.Slot, Message = message };
        return new ConnectedResult(failed, failed, 0, 0);
    }
}
