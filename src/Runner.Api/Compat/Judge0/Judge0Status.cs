using Runner.Api.Contracts;
using Runner.Api.Judging;
using Runner.Api.Storage;
using Runner.Judge;
using Runner.Sandbox;

namespace Runner.Api.Compat.Judge0;

/// <summary>Judge0 CE 1.13.1's statuses (app/enumerations/status.rb) and how a Runner result maps onto them.</summary>
public static class Judge0Status
{
    public static readonly IReadOnlyList<(int Id, string Description)> All =
    [
        (1, "In Queue"),
        (2, "Processing"),
        (3, "Accepted"),
        (4, "Wrong Answer"),
        (5, "Time Limit Exceeded"),
        (6, "Compilation Error"),
        (7, "Runtime Error (SIGSEGV)"),
        (8, "Runtime Error (SIGXFSZ)"),
        (9, "Runtime Error (SIGFPE)"),
        (10, "Runtime Error (SIGABRT)"),
        (11, "Runtime Error (NZEC)"),
        (12, "Runtime Error (Other)"),
        (13, "Internal Error"),
        (14, "Exec Format Error"),
    ];

    public static string Describe(int id) => All[id - 1].Description;

    /// <summary>What Judge0 would report: status, exit code, exit signal and isolate's message.</summary>
    public sealed record Outcome(int Id, int? ExitCode, int? ExitSignal, string? Message);

    public static Outcome Of(SubmissionRecord record, Judge0Settings settings)
    {
        if (record.Status == SubmissionStatus.Queued) return new(1, null, null, null);
        if (record.Status == SubmissionStatus.Running || record.Result is null) return new(2, null, null, null);
        var result = record.Result;
        if (result.Execution is not { } execution) return new(13, null, null, result.Message ?? "internal error");
        if (execution.InternalError is { } fault) return new(13, null, null, fault);
        if (execution.Run is not { } run)
            return execution.Compile is { Status: SandboxStatus.InternalError } c ? new(13, null, null, c.Message) : new(6, null, null, null);

        switch (run.Status)
        {
            case SandboxStatus.InternalError:
                return new(13, null, null, run.Message);
            case SandboxStatus.OutputLimit:
                return new(8, 0, 25, "Caught fatal signal 25");
            case SandboxStatus.MemoryLimit:
                return new(12, 0, 9, "Caught fatal signal 9 (memory limit exceeded)");
            case SandboxStatus.TimeLimit:
                return new(5, 0, 9, "Time limit exceeded");
            case SandboxStatus.WallTimeLimit:
                return new(5, 0, 9, "Time limit exceeded (wall clock)");
        }
        // Within cpu_extra_time the program was not killed, but it still went over its limit.
        if (run.CpuTime > settings.CpuTimeLimit) return new(5, run.ExitCode ?? 0, run.Signal, "Time limit exceeded");
        if (run.WallTime > settings.WallTimeLimit) return new(5, run.ExitCode ?? 0, run.Signal, "Time limit exceeded (wall clock)");
        switch (run.Status)
        {
            case SandboxStatus.Signaled:
                var signal = run.Signal ?? 0;
                var id = signal switch { 11 => 7, 25 => 8, 8 => 9, 6 => 10, _ => 12 };
                return new(id, 0, signal, $"Caught fatal signal {signal}");
            case SandboxStatus.RuntimeError:
                return new(11, run.ExitCode, null, $"Exited with error status {run.ExitCode}");
        }
        return new(result.Verdict == Verdict.Accepted ? 3 : 4, run.ExitCode ?? 0, null, null);
    }
}
