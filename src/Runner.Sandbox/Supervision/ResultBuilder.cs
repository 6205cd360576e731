using System.Text;
using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Supervision;

/// <summary>
/// Turns what the supervisor and the cgroup saw into a <see cref="SandboxResult"/>. When several
/// things happened, the status is the first that applies of: output_limit, memory_limit,
/// time_limit, wall_time_limit, signaled, runtime_error, ok.
/// </summary>
internal static class ResultBuilder
{
    public static SandboxResult Build(SandboxLimits limits, Supervision seen, CgroupUsage usage)
    {
        int? exitCode = null, signal = null;
        if (seen.Exit is { } exit && exit.WaitStatus != -1)
        {
            var status = exit.WaitStatus;
            if ((status & 0x7f) == 0) exitCode = (status >> 8) & 0xff;
            else signal = status & 0x7f;
        }
        else if (seen.Killed != KillReason.None || usage.OomKilled)
        {
            // The box's init was killed, so the program died with the rest of the namespace.
            signal = Libc.SigKill;
        }

        var cpu = usage.CpuTotalNanoseconds / 1e9;
        var user = usage.CpuUserNanoseconds / 1e9;
        var system = usage.CpuSystemNanoseconds / 1e9;
        var memoryPeak = usage.MemoryPeakBytes
            ?? (seen.Exit is { } e ? e.Usage.MaxRssKilobytes * 1024 : null);
        var wall = seen.Wall.TotalSeconds;

        var (status_, message) = Classify(limits, seen, usage, cpu, wall, exitCode, signal);
        var stdout = seen.Stdout.ToArray();
        var stderr = seen.Stderr.ToArray();
        return new SandboxResult
        {
            Status = status_,
            ExitCode = exitCode,
            Signal = signal,
            CpuTime = cpu,
            UserTime = user,
            SystemTime = system,
            WallTime = wall,
            MemoryPeak = memoryPeak,
            OomKilled = usage.OomKilled,
            Stdout = Text(stdout),
            Stderr = Text(stderr),
            StdoutBytes = stdout,
            StderrBytes = stderr,
            OutputChunks = seen.Order?.ToList() ?? [],
            OutputChunksComplete = seen.Order?.Complete ?? true,
            StdoutTruncated = seen.Stdout.Exceeded,
            StderrTruncated = seen.Stderr.Exceeded,
            Message = message,
            EndedNanoseconds = seen.EndedNanoseconds,
        };
    }

    private static (SandboxStatus, string) Classify(SandboxLimits limits, Supervision seen, CgroupUsage usage,
        double cpu, double wall, int? exitCode, int? signal)
    {
        if (seen.Killed == KillReason.Cancelled)
            return (SandboxStatus.InternalError, "the run was cancelled by the caller");
        if (seen.Killed == KillReason.Output)
        {
            var stream = seen.Stdout.Exceeded ? "stdout" : "stderr";
            return (SandboxStatus.OutputLimit, $"{stream} exceeded the output limit of {ByteSize.Format(limits.OutputBytes)}");
        }
        if (usage.OomKilled)
            return (SandboxStatus.MemoryLimit, $"memory limit of {ByteSize.Format(limits.MemoryBytes)} exceeded (killed by the OOM killer)");
        // SIGXCPU comes from the RLIMIT_CPU that mirrors the CPU limit per process.
        if (seen.Killed == KillReason.CpuTime || cpu > limits.CpuTimeSeconds || signal == Libc.SigXcpu)
            return (SandboxStatus.TimeLimit, $"CPU time limit of {limits.CpuTimeSeconds:0.###} s exceeded ({cpu:0.000} s used)");
        if (seen.Killed == KillReason.WallTime)
            return (SandboxStatus.WallTimeLimit, $"wall time limit of {limits.EffectiveWallTimeSeconds:0.###} s exceeded");
        if (seen.Exit is null)
            return (SandboxStatus.InternalError, "the box's init ended without reporting the program's status");
        if (signal is { } s)
            return (SandboxStatus.Signaled, $"killed by signal {s} ({SignalNames.Of(s)})");
        if (exitCode is { } code && code != 0)
            return (SandboxStatus.RuntimeError, $"exited with code {code}");
        return (SandboxStatus.Ok, $"exited normally in {cpu:0.000} s CPU, {wall:0.000} s wall");
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
