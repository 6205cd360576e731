namespace Runner.Api.StoredProblems;

/// <summary>
/// The problem a submission is judged against. Version null only between validation and
/// resolution: a stored submission always names the version it was (or will be) judged with.
/// </summary>
public sealed record ProblemRef(string Id, string? Version);
