using System.Buffers;
using System.Diagnostics;
using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Supervision;

/// <summary>Why the supervisor ended a run early.</summary>
internal enum KillReason { None, CpuTime, WallTime, Output, Cancelled }

/// <summary>What the supervisor saw of one box.</summary>
internal sealed record Supervision(
    NativeLaunch.RunnerError? LaunchError,
    NativeLaunch.RunnerExit? Exit,
    KillReason Killed,
    TimeSpan Wall,
    OutputCapture Stdout,
    OutputCapture Stderr,
    long EndedNanoseconds = 0,
    long? CpuAtProgramExit = null,
    long ExecTimestamp = 0,
    OutputOrder? Order = null,
    CgroupUsage? Usage = null);

/// <summary>
/// Parent side after the go byte: one poll(2) loop over the status socket, both output pipes
/// and the pidfd of the box's init; the error pipe is read once at the end, when every process
/// that could write to it is gone (a step that failed wrote to it before it exited, and the
/// program's execve closed it), so the execve wakes nothing here. It enforces the box's CPU time (polled from
/// the cgroup), the wall clock and the output caps, and kills the whole box on any of them by
/// killing its init: the kernel then kills every process in the PID namespace.
/// </summary>
internal sealed unsafe class Supervisor(
    int pidfd, int errorFd, int statusFd, int stdoutFd, int stderrFd, IBoxCgroup cgroup, SandboxLimits limits, SetupCpu? setup = null,
    Action? onReaped = null)
{
    private const int ReadChunk = 64 * 1024;
    /// <summary>After init exits, output still in the pipes is drained for at most this long.</summary>
    private static readonly TimeSpan DrainBound = TimeSpan.FromMilliseconds(500);
    /// <summary>How long the supervisor stays awake for the init's report once the program's pipes closed.</summary>
    private static readonly TimeSpan ReportSpin = TimeSpan.FromMicroseconds(100);

    public Supervision Run(Stopwatch clock, CancellationToken cancellationToken)
    {
        // One read buffer per thread, not 64 KiB to allocate and zero for every run.
        var buffer = ArrayPool<byte>.Shared.Rent(ReadChunk);
        try
        {
            return Run(clock, cancellationToken, buffer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Supervision Run(Stopwatch clock, CancellationToken cancellationToken, byte[] buffer)
    {
        var order = new OutputOrder();
        var stdout = new OutputCapture(limits.OutputBytes, OutputStream.Stdout, order);
        var stderr = new OutputCapture(limits.OutputBytes, OutputStream.Stderr, order);
        NativeLaunch.RunnerError? launchError = null;
        NativeLaunch.RunnerExit? exit = null;
        long? cpuAtExit = null;
        long execTimestamp = 0;
        var killed = KillReason.None;
        var cpuLimitNs = (long)(limits.CpuTimeSeconds * 1e9);
        var wallLimit = TimeSpan.FromSeconds(limits.EffectiveWallTimeSeconds);
        // Poll CPU often enough to stop a spinning box within ~2% of its limit, but not
        // more often than every 2 ms.
        var cpuPollMs = (int)Math.Clamp(limits.CpuTimeSeconds * 1000 / 50, 2, 50);
        var cpuPoll = TimeSpan.FromMilliseconds(cpuPollMs);
        var nextCpuCheck = cpuPoll;
        int[] fds = [errorFd, statusFd, stdoutFd, stderrFd, pidfd];
        // No stdout fd: the box's stdout is a connected partner's stdin, not captured. The error
        // pipe (0) is not polled.
        var open = new bool[] { false, true, stdoutFd >= 0, true, true };
        var waitedForReport = false;
        TimeSpan? initExitedAt = null;
        var pollFds = stackalloc Libc.PollFd[5];
        var map = stackalloc int[5];

        while (true)
        {
            if (initExitedAt is { } exitedAt && (!open[0] && !open[1] && !open[2] && !open[3] || clock.Elapsed - exitedAt > DrainBound))
                break;
            // The program is reaped and nothing else is left in the box: once its pipes are
            // drained the run is over, and the init's exit (the namespaces' teardown) is not waited for.
            if (exit is { Alone: not 0 } && !open[0] && !open[1] && !open[2] && !open[3])
                break;
            var n = 0;
            for (var i = 0; i < fds.Length; i++)
            {
                if (!open[i]) continue;
                pollFds[n] = new Libc.PollFd { Fd = fds[i], Events = Libc.PollIn };
                map[n++] = i;
            }
            if (n == 0) break;

            var timeout = cpuPollMs;
            if (killed == KillReason.None)
            {
                var elapsed = clock.Elapsed;
                var wallLeft = (wallLimit - elapsed).TotalMilliseconds;
                var cpuCheckIn = exit is null ? (nextCpuCheck - elapsed).TotalMilliseconds : cpuPollMs;
                timeout = (int)Math.Clamp(Math.Ceiling(Math.Min(wallLeft, cpuCheckIn)), 0, cpuPollMs);
            }
            if (!waitedForReport && exit is null && open[1] && !open[2] && !open[3] && killed == KillReason.None)
            {
                waitedForReport = true;
                WaitBrieflyForReport();
            }
            var ready = Libc.poll(pollFds, (nuint)n, timeout);
            if (ready < 0 && Libc.Errno != Errno.EINTR)
                throw new IOException($"poll failed: {ErrnoName.Describe(Libc.Errno)}");

            for (var k = 0; k < n && ready > 0; k++)
            {
                if (pollFds[k].Revents == 0) continue;
                var i = map[k];
                switch (i)
                {
                    case 1:
                        NativeLaunch.RunnerExit status;
                        var read = Libc.read(statusFd, &status, sizeof(NativeLaunch.RunnerExit));
                        if (read == sizeof(NativeLaunch.RunnerExit))
                        {
                            exit = status;
                            // The program has been reaped and the box's init waits for the
                            // hang-up before it exits: its teardown is not the program's CPU.
                            // With nothing else left in the box, its usage is final now: it is
                            // read once the pipes are drained, and the init is left waiting for
                            // the box's disposal (a warm box's on the teardown thread, after the
                            // result is back). With something left, the init is hung up at once
                            // so it takes that along.
                            if (status.Alone == 0) cpuAtExit = cgroup.ReadCpuNanoseconds();
                            onReaped?.Invoke();
                        }
                        if (exit is not { Alone: not 0 }) HangUp();
                        open[1] = false;
                        break;
                    case 2:
                        open[2] = Drain(stdoutFd, stdout, buffer);
                        break;
                    case 3:
                        open[3] = Drain(stderrFd, stderr, buffer);
                        break;
                    case 4:
                        open[4] = false;
                        initExitedAt = clock.Elapsed;
                        break;
                }
            }

            if (killed != KillReason.None) continue;
            var now = clock.Elapsed;
            if (stdout.Exceeded || stderr.Exceeded) killed = Kill(KillReason.Output);
            else if (cancellationToken.IsCancellationRequested) killed = Kill(KillReason.Cancelled);
            else if (now >= wallLimit) killed = Kill(KillReason.WallTime);
            else if (exit is null && now >= nextCpuCheck)
            {
                // The cgroup's CPU is read at most every poll interval, not on every wake-up
                // (the program's execve, each chunk of output); once the program is reaped
                // there is nothing left to stop.
                nextCpuCheck = now + cpuPoll;
                if (cgroup.ReadCpuNanoseconds() - (setup?.Nanoseconds ?? 0) >= cpuLimitNs) killed = Kill(KillReason.CpuTime);
            }
        }
        var wall = clock.Elapsed;
        if (initExitedAt is { } end) wall = end;
        NativeLaunch.RunnerError error;
        if (Libc.read(errorFd, &error, sizeof(NativeLaunch.RunnerError)) == sizeof(NativeLaunch.RunnerError)) launchError = error;
        else if (exit is { ExecNanoseconds: > 0 } execed) execTimestamp = TicksOf(execed.ExecNanoseconds);
        CgroupUsage? usage = null;
        if (exit is { Alone: not 0 } && initExitedAt is null)
        {
            // Only the box's init is left, waiting for the hang-up: the cgroup's counts are the
            // program's final ones (and the init's, subtracted later), read once, here.
            usage = cgroup.ReadUsage();
            cpuAtExit = usage.CpuTotalNanoseconds;
        }
        // When the program stopped, on CLOCK_MONOTONIC, as early as it is known for sure: the
        // kill's time for a killed box, else the reap's stamp. Its pipe ends close only after.
        var ended = _killedAt != 0 ? _killedAt
            : exit is { ReapedNanoseconds: > 0 } reaped ? reaped.ReapedNanoseconds
            : Libc.MonotonicNanoseconds();
        return new Supervision(launchError, exit, killed, wall, stdout, stderr, ended, cpuAtExit, execTimestamp, order, usage);
    }

    /// <summary>
    /// Both output pipes are closed, so the program has most likely exited, and its init's report
    /// follows within microseconds: waiting for it awake, for at most <see cref="ReportSpin"/>,
    /// saves going to sleep and being woken again (waking an idle vCPU costs tens of
    /// microseconds). Yields the CPU in between, for the init.
    /// </summary>
    private void WaitBrieflyForReport()
    {
        var status = new Libc.PollFd { Fd = statusFd, Events = Libc.PollIn };
        var until = Stopwatch.GetTimestamp() + (long)(ReportSpin.TotalSeconds * Stopwatch.Frequency);
        while (Libc.poll(&status, 1, 0) == 0 && Stopwatch.GetTimestamp() < until) Thread.Yield();
    }

    private static long TicksOf(long monotonicNanoseconds) => (long)(monotonicNanoseconds * (Stopwatch.Frequency / 1e9));

    /// <summary>Tells the box's init it may exit (it waits for this after its report).</summary>
    private void HangUp() => Libc.shutdown(statusFd, Libc.ShutRdwr);

    private long _killedAt;

    private KillReason Kill(KillReason reason)
    {
        _killedAt = Libc.MonotonicNanoseconds();
        // Killing the namespace's init kills every process in it, even ones that block signals.
        Libc.syscall(Sys.PidfdSendSignal, pidfd, Libc.SigKill, 0, 0);
        return reason;
    }

    /// <summary>Reads what is available; returns false at EOF.</summary>
    private static bool Drain(int fd, OutputCapture capture, byte[] buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var got = Libc.read(fd, p, buffer.Length);
                if (got > 0)
                {
                    capture.Append(new ReadOnlySpan<byte>(p, (int)got));
                    if (capture.Exceeded) return true;
                    continue;
                }
                if (got == 0) return false;
                var errno = Libc.Errno;
                return errno == Errno.EAGAIN || errno == Errno.EINTR;
            }
        }
    }
}
