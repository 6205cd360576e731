using Runner.Api.Contracts;

namespace Runner.Api.StoredProblems;

/// <summary>
/// problem.json at the root of a package (README.md, "Problems"). Every field is optional;
/// unknown fields are refused like in a request body.
/// </summary>
public sealed record ProblemJson
{
    /// <summary>A title, for people.</summary>
    public string? Name { get; init; }

    /// <summary>Per-test limits; omitted fields take the server's defaults.</summary>
    public LimitsRequest? Limits { get; init; }

    /// <summary>Default lines. custom names its source file in the package.</summary>
    public ProblemCheckerJson? Checker { get; init; }

    /// <summary>An interactor (testlib convention) that talks to the contestant's program.</summary>
    public ProblemProgramJson? Interactor { get; init; }

    /// <summary>Subtasks; without them every test is worth one point.</summary>
    public IReadOnlyList<GroupRequest>? Groups { get; init; }
}

public sealed record ProblemCheckerJson
{
    /// <summary>exact | lines | tokens | float | custom.</summary>
    public string? Type { get; init; }
    public double? Epsilon { get; init; }
    public string? Language { get; init; }

    /// <summary>For custom: the checker's source, a path in the package.</summary>
    public string? File { get; init; }
}

public sealed record ProblemProgramJson
{
    public string? Language { get; init; }

    /// <summary>The program's source, a path in the package.</summary>
    public string? File { get; init; }
}
