using System.Text.Json.Serialization;
using Runner.Judge.Groups;

namespace Runner.Judge;

/// <summary>The outcome of one submission (README.md#report---json); its wire form is <see cref="Json.JudgeReportJson"/>.</summary>
public sealed record JudgeReport
{
    public required Verdict Verdict { get; init; }
    public required JudgeScore Score { get; init; }
    public required CompileReport Compile { get; init; }

    /// <summary>One entry per test that ran, in order; with stop-on-first-failure the rest are absent.</summary>
    public required IReadOnlyList<TestReport> Tests { get; init; }

    /// <summary>Why the verdict is what it is when no test says it (compile failure, internal error).</summary>
    public string Message { get; init; } = "";

    /// <summary>One entry per group of the request, in its order; null when the request has no groups.</summary>
    public IReadOnlyList<GroupReport>? Groups { get; init; }
}

/// <param name="Passed">Tests accepted.</param>
/// <param name="Total">Tests in the request, run or not.</param>
/// <param name="Points">
/// Sum of the tests' scores (1 per accepted test, the checker's points for a partial one); with
/// groups, the sum of the groups' scores.
/// </param>
public sealed record JudgeScore(int Passed, int Total, double Points);

[JsonConverter(typeof(JsonStringEnumConverter<CompileStatus>))]
public enum CompileStatus
{
    /// <summary>The language has no compile step.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,
    /// <summary>The sandbox failed while compiling; not the submission's fault.</summary>
    [JsonStringEnumMemberName("internal_error")] InternalError,
}

public sealed record CompileReport
{
    public required CompileStatus Status { get; init; }

    /// <summary>Compiler stdout then stderr, capped at <see cref="JudgeOptions.CompileOutputBytes"/>.</summary>
    public string Output { get; init; } = "";
    public double CpuTime { get; init; }
    public double WallTime { get; init; }
    public long? MemoryPeak { get; init; }
    public int? ExitCode { get; init; }
    public string Message { get; init; } = "";
}

public sealed record TestReport
{
    public required string Name { get; init; }
    public required Verdict Verdict { get; init; }

    /// <summary>In [0, 1]: 1 when accepted, the checker's points when partial, else 0.</summary>
    public double Score { get; init; }
    public double CpuTime { get; init; }
    public double WallTime { get; init; }
    public long? MemoryPeak { get; init; }
    public int? ExitCode { get; init; }
    public int? Signal { get; init; }
    public string Message { get; init; } = "";

    /// <summary>The start of the program's stdout (UTF-8, invalid bytes replaced).</summary>
    public string OutputExcerpt { get; init; } = "";
}

public enum JudgeStage { Compiling, Compiled, TestStarted, TestFinished, Finished }

/// <summary>Reported as the judge moves on, for live status in a service.</summary>
/// <param name="TestIndex">0-based index of the test, for the test stages.</param>
public sealed record JudgeProgress(JudgeStage Stage, int TestIndex, int TestCount, string? TestName = null,
    CompileReport? Compile = null, TestReport? Test = null);
