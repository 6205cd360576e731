using Runner.Api.Storage;
using Runner.Judge.Checking;
using Runner.Judge.Groups;

namespace Runner.Api.StoredProblems;

/// <summary>
/// A validated problem version as stored beside its package: everything a judge needs except
/// the files themselves (the package holds problem.json, tests/{NAME}.in, tests/{NAME}.out and the
/// checker's and interactor's sources). Limits have the server's defaults applied at upload.
/// </summary>
public sealed record ProblemDefinition
{
    public string? Name { get; init; }
    public required JudgeLimits Limits { get; init; }
    public required ProblemChecker Checker { get; init; }
    public ProblemProgram? Interactor { get; init; }
    public IReadOnlyList<TestGroup>? Groups { get; init; }

    /// <summary>In the order they run: natural order of their names (test2 before test10).</summary>
    public required IReadOnlyList<ProblemTest> Tests { get; init; }

    /// <summary>Sum of the stored entries' sizes.</summary>
    public required long UnpackedBytes { get; init; }
}

/// <param name="File">For custom: the checker's source in the package.</param>
public sealed record ProblemChecker(CheckerKind Type, double? Epsilon = null, string? Language = null, string? File = null);

/// <summary>A program shipped in the package: its language id and its source's path in the package.</summary>
public sealed record ProblemProgram(string Language, string File);

/// <summary>A test: tests/{NAME}.in, and tests/{NAME}.out when it has an answer.</summary>
public sealed record ProblemTest(string Name, long InputSize, long? AnswerSize)
{
    [System.Text.Json.Serialization.JsonIgnore] public string InputEntry => $"tests/{Name}.in";
    [System.Text.Json.Serialization.JsonIgnore] public string AnswerEntry => $"tests/{Name}.out";
}

/// <summary>One stored version of a problem.</summary>
public sealed record ProblemVersion
{
    public required string Problem { get; init; }

    /// <summary>The SHA-256 of the package's content (hex): equal content, equal version.</summary>
    public required string Version { get; init; }
    public required DateTimeOffset UploadedAt { get; init; }
    public DateTimeOffset? RetiredAt { get; init; }

    /// <summary>Size of the stored (canonical) zip: what a worker fetches once.</summary>
    public required long PackageBytes { get; init; }
    public required ProblemDefinition Definition { get; init; }
}
