using Runner.Api.Contracts;
using Runner.Api.StoredProblems;
using Runner.Judge;
using Runner.Judge.Checking;
using Runner.Judge.Groups;
using Runner.Sandbox;

namespace Runner.Api.Storage;

/// <summary>A submission as stored: the validated request plus its lifecycle.</summary>
public sealed record SubmissionRecord
{
    public required Guid Id { get; init; }
    public required SubmissionStatus Status { get; init; }
    public required JudgeInput Input { get; init; }
    public SubmissionResult? Result { get; init; }
    public ProgressView? Progress { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>How many times a worker claimed it; above 1 only after a crash or a lost lease.</summary>
    public int Attempts { get; init; }

    /// <summary>The Hangfire job id once enqueued; null means the enqueue never happened (a crash between insert and enqueue).</summary>
    public string? JobId { get; init; }

    /// <summary>The client's Idempotency-Key (with "/N" for item N of a batch); unique when set.</summary>
    public string? IdempotencyKey { get; init; }

    public SubmissionView ToView() => new()
    {
        Id = Id,
        Status = Status,
        Language = Input.Language,
        Problem = Input.Problem,
        Verdict = Result?.Verdict,
        Score = Result?.Score,
        Compile = Result?.Compile is { } compile ? Upgraded(compile) : null,
        Tests = Result?.Tests,
        Groups = Result?.Groups,
        Message = Result?.Message,
        Progress = Status == SubmissionStatus.Running ? Progress : null,
        CreatedAt = CreatedAt,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        Attempts = Attempts,
    };

    public SubmissionSummary ToSummary() => new()
    {
        Id = Id,
        Status = Status,
        Language = Input.Language,
        Verdict = Result?.Verdict,
        Score = Result?.Score,
        Message = Result?.Message,
        CreatedAt = CreatedAt,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        Attempts = Attempts,
    };

    /// <summary>
    /// Results stored before <c>compile.status</c> existed read back as skipped (the enum's
    /// default), which a stored compile never is: the judge's skipped compile is stored as null.
    /// </summary>
    private static CompileView Upgraded(CompileView compile) => compile.Status == CompileStatus.Skipped
        ? compile with { Status = compile.Success ? CompileStatus.Succeeded : CompileStatus.Failed }
        : compile;
}

/// <summary>
/// The validated, defaults-applied form of a submission request: what a judge needs, with no
/// optional fields left to interpret.
/// </summary>
public sealed record JudgeInput
{
    public required string Language { get; init; }
    public required string Source { get; init; }
    public required IReadOnlyList<JudgeTestCase> Tests { get; init; }
    public required JudgeLimits Limits { get; init; }
    public required JudgeChecker Checker { get; init; }

    /// <summary>Null unless the submission is interactive.</summary>
    public JudgeInteractor? Interactor { get; init; }
    public bool StopOnFirstFailure { get; init; }
    public string? CallbackUrl { get; init; }

    /// <summary>Files beside the source: path in /box to text.</summary>
    public IReadOnlyDictionary<string, string>? Files { get; init; }

    /// <summary>Inline groups; a problem's groups come from its version instead.</summary>
    public IReadOnlyList<TestGroup>? Groups { get; init; }

    /// <summary>When set, the tests, limits, checker and groups are the problem version's; <see cref="Tests"/> is empty.</summary>
    public ProblemRef? Problem { get; init; }

    /// <summary>
    /// Set for submissions made through a compatibility API (Judge0, Piston): run the program
    /// once as that API does instead of judging <see cref="Tests"/> (see Judging/ExecutionJudge).
    /// </summary>
    public Judging.ExecutionInput? Execution { get; init; }
}

/// <param name="ExpectedOutput">Null: the test passes when the program runs cleanly.</param>
public sealed record JudgeTestCase(string Name, string Input, string? ExpectedOutput);

/// <summary>Times in seconds, sizes in bytes.</summary>
public sealed record JudgeLimits(double Time, double WallTime, long Memory, int Pids, long Output)
{
    /// <summary>The engine's limits for one run: the API's runs and each judged test alike.</summary>
    public SandboxLimits ToSandboxLimits() => new()
    {
        CpuTimeSeconds = Time,
        WallTimeSeconds = WallTime,
        MemoryBytes = Memory,
        Pids = Pids,
        OutputBytes = Output,
    };
}

/// <param name="Type">Stored as exact | lines | tokens | float | custom (<see cref="CheckerKind"/>'s JSON names).</param>
public sealed record JudgeChecker(CheckerKind Type, double? Epsilon = null, string? Language = null, string? Source = null);
