using System.Text;
using System.Text.Json.Nodes;
using Runner.Api.Judging;
using Runner.Api.Storage;
using Runner.Sandbox;
using Runner.Sandbox.Native;

namespace Runner.Api.Compat.Piston;

/// <summary>Piston's execute answer: compile (compiled languages only) and run, each with stdout, stderr, the interleaved output and isolate's status.</summary>
public static class PistonResult
{
    /// <summary>Null when the judge failed before any step ran (answered 500).</summary>
    public static JsonObject? Render(SubmissionRecord record, PistonRuntimes.Runtime runtime)
    {
        if (record.Result?.Execution is not { InternalError: null } execution) return null;
        var o = new JsonObject { ["language"] = runtime.Language, ["version"] = runtime.Version };
        var compile = execution.Compile is { } c ? Stage(c) : null;
        // After a failed compile there is no run, and Piston's answer repeats the compile stage as run.
        var run = execution.Run is { } r ? Stage(r) : compile?.DeepClone();
        if (run is null) return null;
        o["run"] = run;
        if (runtime.Live.Entry.Compiled && compile is not null) o["compile"] = compile;
        return o;
    }

    private static JsonObject Stage(ExecutionStep s)
    {
        var (status, message) = s.Status switch
        {
            SandboxStatus.Ok => ((string?)null, (string?)null),
            SandboxStatus.RuntimeError => ("RE", $"Exited with error status {s.ExitCode}"),
            SandboxStatus.Signaled => ("SG", $"Caught fatal signal {s.Signal}"),
            SandboxStatus.TimeLimit => ("TO", "Time limit exceeded"),
            SandboxStatus.WallTimeLimit => ("TO", "Time limit exceeded (wall clock)"),
            SandboxStatus.MemoryLimit => ("SG", "Caught fatal signal 9 (memory limit exceeded)"),
            SandboxStatus.OutputLimit when s.Message.StartsWith("stderr", StringComparison.Ordinal) => ("EL", "stderr length exceeded"),
            SandboxStatus.OutputLimit => ("OL", "stdout length exceeded"),
            _ => ("XX", s.Message),
        };
        var signal = status is "TO" or "OL" or "EL" ? "SIGKILL" : s.Signal is { } n ? SignalNames.Of(n) : null;
        return new JsonObject
        {
            ["stdout"] = Text(s.Stdout),
            ["stderr"] = Text(s.Stderr),
            ["output"] = Text(s.Output()),
            ["code"] = s.Signal is null ? s.ExitCode : null,
            ["signal"] = signal,
            ["message"] = message,
            ["status"] = status,
            ["cpu_time"] = Math.Round(s.CpuTime * 1000, 3),
            ["wall_time"] = Math.Round(s.WallTime * 1000, 3),
            ["memory"] = s.MemoryPeak,
        };
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
