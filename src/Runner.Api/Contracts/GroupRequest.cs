namespace Runner.Api.Contracts;

/// <summary>A group of tests (subtask) in a submission or a problem.json (README.md, "Groups").</summary>
public sealed record GroupRequest
{
    /// <summary>Unique among the groups.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string? Name { get; init; }

    /// <summary>What the group is worth (>= 0).</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public double? Points { get; init; }

    /// <summary>min (default: all or nothing) or sum (points shared among the tests).</summary>
    public string? Scoring { get; init; }

    /// <summary>Test names, in the order they run; every test belongs to exactly one group.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public IReadOnlyList<string>? Tests { get; init; }

    /// <summary>Groups listed earlier that must all pass for this one to run.</summary>
    public IReadOnlyList<string>? DependsOn { get; init; }
}
