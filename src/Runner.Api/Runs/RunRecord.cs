using Runner.Api.Contracts;
using Runner.Api.Storage;

namespace Runner.Api.Runs;

/// <summary>A run as stored: the validated request, waiting for a worker, and once finished its outcome.</summary>
public sealed record RunRecord
{
    public required Guid Id { get; init; }
    public required SubmissionStatus Status { get; init; }
    public required RunInput Input { get; init; }
    public RunOutcome? Outcome { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int Attempts { get; init; }

    public RunView ToView() => new()
    {
        Id = Id,
        Status = Status,
        Result = Outcome?.Response,
        Error = Outcome?.Error,
        CreatedAt = CreatedAt,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
    };
}

/// <summary>
/// The validated, defaults-applied form of a run request: the files for /box, the steps (one for
/// a single command), and what to copy out after the last.
/// </summary>
/// <param name="Stepped">The request gave steps (so the answer lists each step's result).</param>
public sealed record RunInput(IReadOnlyList<RunInputFile> Files, IReadOnlyList<RunInputStep> Steps, IReadOnlyList<string> CopyOut, bool Stepped);

/// <param name="Path">Normalized, relative to /box.</param>
public sealed record RunInputFile(string Path, byte[] Content);

/// <param name="Field">The request field holding this step's command, for an error that names it (command, steps[2].command).</param>
public sealed record RunInputStep(IReadOnlyList<string> Argv, string Stdin, JudgeLimits Limits, bool ContinueOnFailure, string Field);

/// <summary>What a worker stored: the result, or the request error only the box could find.</summary>
public sealed record RunOutcome(RunResponse? Response, RunError? Error);
