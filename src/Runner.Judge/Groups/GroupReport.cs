using System.Text.Json.Serialization;

namespace Runner.Judge.Groups;

[JsonConverter(typeof(JsonStringEnumConverter<GroupStatus>))]
public enum GroupStatus
{
    /// <summary>Every test of the group was accepted.</summary>
    [JsonStringEnumMemberName("passed")] Passed,
    [JsonStringEnumMemberName("failed")] Failed,
    /// <summary>Not run: a group it depends on did not pass, or the judge stopped at a failure before it.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,
}

/// <summary>One group's outcome.</summary>
public sealed record GroupReport
{
    public required string Name { get; init; }
    public required GroupScoring Scoring { get; init; }
    public required GroupStatus Status { get; init; }

    /// <summary>What the group is worth.</summary>
    public required double Points { get; init; }

    /// <summary>What it earned, in [0, <see cref="Points"/>].</summary>
    public required double Score { get; init; }

    /// <summary>The first test of the group (in run order) that was not accepted; null when none failed or none ran.</summary>
    public string? FirstFailure { get; init; }

    /// <summary>Why it failed or was skipped; empty when passed.</summary>
    public string Message { get; init; } = "";
}

/// <summary>The group rules as plain arithmetic over finished tests, so they can be checked without a box.</summary>
public static class GroupScore
{
    /// <param name="ran">The group's tests that ran; a test that did not run counts as score 0.</param>
    public static GroupReport Of(TestGroup group, IReadOnlyList<TestReport> ran)
    {
        var scores = group.Tests.Select(t => ran.FirstOrDefault(r => r.Name == t)?.Score ?? 0).ToList();
        var share = group.Scoring == GroupScoring.Min ? scores.Min() : scores.Sum() / scores.Count;
        var failed = ran.FirstOrDefault(r => r.Verdict != Verdict.Accepted);
        var passed = failed is null && ran.Count == group.Tests.Count;
        return new GroupReport
        {
            Name = group.Name,
            Scoring = group.Scoring,
            Status = passed ? GroupStatus.Passed : GroupStatus.Failed,
            Points = group.Points,
            Score = passed ? group.Points : Math.Clamp(group.Points * share, 0, group.Points),
            FirstFailure = failed?.Name,
            Message = failed is not null ? $"test {failed.Name}: {failed.Message}"
                : passed ? "" : $"{group.Tests.Count - ran.Count} of its tests did not run",
        };
    }

    public static GroupReport Skipped(TestGroup group, string why) => new()
    {
        Name = group.Name,
        Scoring = group.Scoring,
        Status = GroupStatus.Skipped,
        Points = group.Points,
        Score = 0,
        Message = why,
    };
}
