using Runner.Judge;

namespace Runner.Api.Contracts;

/// <summary>GET /api/v1/submissions: one page, newest first.</summary>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next (older) page; null on the last page.</param>
public sealed record SubmissionList(IReadOnlyList<SubmissionSummary> Submissions, string? NextCursor);

/// <summary>A submission in a list: its lifecycle and verdict, without sources, tests or outputs (GET it for those).</summary>
public sealed record SubmissionSummary
{
    public required Guid Id { get; init; }
    public required SubmissionStatus Status { get; init; }
    public required string Language { get; init; }
    public Verdict? Verdict { get; init; }
    public double? Score { get; init; }
    public string? Message { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int Attempts { get; init; }
}
