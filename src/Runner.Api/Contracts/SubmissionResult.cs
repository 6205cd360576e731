using Runner.Judge;
using Runner.Judge.Json;

namespace Runner.Api.Contracts;

/// <summary>What a judge produces for one submission; stored as JSON and served inside <see cref="SubmissionView"/>.</summary>
public sealed record SubmissionResult(
    Verdict Verdict,
    double Score,
    CompileView? Compile,
    IReadOnlyList<TestJson> Tests,
    string? Message,
    IReadOnlyList<GroupJson>? Groups = null)
{
    /// <summary>For a compatibility API's submission: every byte of each step, as that API reports it.</summary>
    public Judging.ExecutionResult? Execution { get; init; }
}
