using System.Text;
using Runner.Api.Contracts;
using Runner.Api.Storage;
using Runner.Judge;
using Runner.Judge.Execution;
using Runner.Judge.Json;
using Runner.Sandbox;

namespace Runner.Api.Judging;

/// <summary>
/// Runs a compatibility API's submission (<see cref="JudgeInput.Execution"/>) through
/// <see cref="ExecutionPipeline"/> on the worker, and states the outcome both ways: in full for
/// the API that made it, and as a native verdict with one test so /api/v1 shows it too.
/// </summary>
public static class ExecutionJudge
{
    public static SubmissionResult Judge(JudgeInput input, ExecutionInput execution, JudgeOptions options, CancellationToken ct)
    {
        var limits = input.Limits.ToSandboxLimits() with
        {
            CpuTimeSeconds = input.Limits.Time + execution.ExtraTime,
            WallTimeSeconds = input.Limits.WallTime + execution.ExtraTime,
            StackBytes = execution.StackBytes,
            FileSizeBytes = execution.FileSizeBytes ?? new SandboxLimits().FileSizeBytes,
        };
        var compileLimits = options.CompileLimits with
        {
            CpuTimeSeconds = execution.CompileTime ?? options.CompileLimits.CpuTimeSeconds,
            WallTimeSeconds = execution.CompileWallTime ?? options.CompileLimits.WallTimeSeconds,
            MemoryBytes = execution.CompileMemory ?? options.CompileLimits.MemoryBytes,
        };
        ExecutionReport report;
        try
        {
            report = ExecutionPipeline.Run(new ExecutionRequest
            {
                Language = input.Language,
                Source = execution.Source,
                SourceFile = execution.SourceFile,
                Files = execution.Files.Select(f => new ExecutionFile(f.Name, f.Content)).ToList(),
                Stdin = execution.Stdin,
                CompileArguments = execution.CompileArguments,
                RunArguments = execution.RunArguments,
                RunLimits = limits,
                CompileLimits = compileLimits,
                SkipCheckOnlyCompile = true,
                Runs = execution.Runs,
            }, options, ct);
        }
        catch (JudgeRequestException e)
        {
            // The API validates first, so this means the two disagree: not the submitter's fault.
            report = new ExecutionReport { InternalError = $"judge refused the request: {e.Field}: {e.Message}" };
        }

        var result = new ExecutionResult(
            report.Compile is { } c ? ExecutionStep.From(c) : null,
            report.Run is { } r ? ExecutionStep.From(r) : null,
            report.Runs, report.AverageCpuTime, report.AverageWallTime, report.AverageMemoryPeak, report.InternalError);
        return Native(input, execution, report, options) with { Execution = result };
    }

    /// <summary>The native view of the same outcome: a verdict, the compile step and one test named "1".</summary>
    private static SubmissionResult Native(JudgeInput input, ExecutionInput execution, ExecutionReport report, JudgeOptions options)
    {
        if (report.InternalError is { } fault) return new SubmissionResult(Verdict.InternalError, 0, null, [], fault);
        CompileView? compile = report.Compile is { } c ? CompileView.From(new CompileReport
        {
            Status = c.Status switch
            {
                SandboxStatus.Ok => CompileStatus.Succeeded,
                SandboxStatus.InternalError => CompileStatus.InternalError,
                _ => CompileStatus.Failed,
            },
            Output = Cap(Encoding.UTF8.GetString(ExecutionStep.From(c).Output()), options.CompileOutputBytes),
            CpuTime = c.CpuTime,
            WallTime = c.WallTime,
            MemoryPeak = c.MemoryPeak,
            ExitCode = c.ExitCode,
            Message = c.Status == SandboxStatus.Ok ? "" : c.Message,
        }) : null;
        if (report.Run is not { } run)
        {
            var internalFault = report.Compile?.Status == SandboxStatus.InternalError;
            return new SubmissionResult(internalFault ? Verdict.InternalError : Verdict.CompilationError, 0, compile, [], compile?.Message);
        }

        var (verdict, message) = Outcome(input, execution, run);
        var test = new TestReport
        {
            Name = "1",
            Verdict = verdict,
            Score = verdict == Verdict.Accepted ? 1 : 0,
            CpuTime = run.CpuTime,
            WallTime = run.WallTime,
            MemoryPeak = run.MemoryPeak,
            ExitCode = run.ExitCode,
            Signal = run.Signal,
            Message = message,
            OutputExcerpt = Cap(run.Stdout, options.ExcerptBytes),
        };
        return new SubmissionResult(verdict, test.Score, compile, [TestJson.From(test)],
            verdict == Verdict.Accepted ? null : $"test 1: {message}");
    }

    /// <summary>
    /// Over the verdict limit is a time limit even inside the grace (isolate's -x: killed at
    /// limit + extra, judged at the limit).
    /// </summary>
    public static (Verdict, string) Outcome(JudgeInput input, ExecutionInput execution, SandboxResult run) => run.Status switch
    {
        SandboxStatus.InternalError => (Verdict.InternalError, "sandbox: " + run.Message),
        SandboxStatus.OutputLimit => (Verdict.OutputLimitExceeded, run.Message),
        SandboxStatus.MemoryLimit => (Verdict.MemoryLimitExceeded, run.Message),
        SandboxStatus.TimeLimit => (Verdict.TimeLimitExceeded, run.Message),
        SandboxStatus.WallTimeLimit => (Verdict.TimeLimitExceeded, run.Message),
        _ when run.CpuTime > input.Limits.Time => (Verdict.TimeLimitExceeded, $"CPU time limit of {input.Limits.Time} s exceeded"),
        _ when run.WallTime > input.Limits.WallTime => (Verdict.TimeLimitExceeded, $"wall time limit of {input.Limits.WallTime} s exceeded"),
        SandboxStatus.Ok when execution.ExpectedOutput is { } expected
            && Stripped(execution.MergeStderr ? ExecutionStep.From(run).Output() : run.StdoutBytes) != Stripped(expected)
            => (Verdict.WrongAnswer, "the output differs from expected_output (trailing whitespace of each line ignored)"),
        SandboxStatus.Ok => (Verdict.Accepted, ""),
        _ => (Verdict.RuntimeError, run.Message),
    };

    /// <summary>Judge0's comparison: each line right-stripped, then the whole right-stripped.</summary>
    private static string Stripped(byte[] text)
    {
        char[] blank = [' ', '\t', '\r', '\n', '\f', '\v', '\0'];
        return string.Join('\n', Encoding.UTF8.GetString(text).Split('\n').Select(l => l.TrimEnd(blank))).TrimEnd(blank);
    }

    private static string Cap(string text, int maxBytes) =>
        Encoding.UTF8.GetByteCount(text) <= maxBytes ? text : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text), 0, maxBytes) + "...";

    private static string Cap(byte[] bytes, int maxBytes) =>
        Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, maxBytes)) + (bytes.Length > maxBytes ? "..." : "");
}
