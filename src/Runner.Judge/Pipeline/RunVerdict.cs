using System.Globalization;
using Runner.Judge.Languages;
using Runner.Sandbox;
using Runner.Sandbox.Native;

namespace Runner.Judge.Pipeline;

/// <summary>
/// Maps how the submission's run ended to a verdict, before any checking. Only a run that
/// exited 0 within its limits (null here) goes on to the checker.
/// </summary>
internal static class RunVerdict
{
    /// <summary>
    /// A run that failed with its peak this close to the cgroup limit was starved of memory even
    /// if the kernel never had to kill it (a runtime that caught its own failed allocation).
    /// </summary>
    private const double NearLimit = 0.98;

    /// <param name="limits">The box's limits, language headroom included.</param>
    /// <param name="memoryLimit">The submission's memory limit as the user set it, for messages.</param>
    public static (Verdict Verdict, string Message)? Of(SandboxResult r, SandboxLimits limits, long memoryLimit, LanguageDefinition language)
    {
        var c = CultureInfo.InvariantCulture;
        var memory = ByteSize.Format(memoryLimit);
        switch (r.Status)
        {
            case SandboxStatus.Ok:
                return null;
            case SandboxStatus.InternalError:
                return (Verdict.InternalError, "sandbox: " + r.Message);
            case SandboxStatus.TimeLimit:
                return (Verdict.TimeLimitExceeded, string.Format(c, "CPU time limit of {0} s exceeded", limits.CpuTimeSeconds));
            case SandboxStatus.WallTimeLimit:
                return (Verdict.TimeLimitExceeded, string.Format(c,
                    "wall-clock limit of {0} s exceeded after {1:0.000} s of CPU time (the program was blocked or sleeping)",
                    limits.EffectiveWallTimeSeconds, r.CpuTime));
            case SandboxStatus.MemoryLimit:
                return (Verdict.MemoryLimitExceeded, $"memory limit of {memory} exceeded (killed by the OOM killer)");
            case SandboxStatus.OutputLimit:
                return (Verdict.OutputLimitExceeded, r.Message);
        }

        var ended = r.Signal is { } s ? $"killed by signal {s} ({SignalNames.Of(s)})" : $"exited with code {r.ExitCode}";
        if (RanOutOfMemory(r, limits, language) is { } why)
            return (Verdict.MemoryLimitExceeded, $"memory limit of {ByteSize.Format(memoryLimit)} exceeded ({why}; {ended})");
        var detail = LastLine(r.Stderr);
        return (Verdict.RuntimeError, detail.Length > 0 ? $"{ended}: {detail}" : ended);
    }

    private static string? RanOutOfMemory(SandboxResult r, SandboxLimits limits, LanguageDefinition language)
    {
        if (r.OomKilled) return "the OOM killer acted";
        foreach (var marker in language.MemoryErrorMarkers ?? [])
            if (r.Stderr.Contains(marker, StringComparison.Ordinal))
                return $"the runtime reported '{marker}'";
        if (r.MemoryPeak is { } peak && peak >= NearLimit * limits.MemoryBytes)
            return $"peak {ByteSize.Format(peak)} reached the limit";
        return null;
    }

    private static string LastLine(string text)
    {
        var line = text.TrimEnd().Split('\n').LastOrDefault()?.Trim() ?? "";
        return line.Length > 200 ? line[..200] + "..." : line;
    }
}
