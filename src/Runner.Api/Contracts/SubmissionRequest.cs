using System.ComponentModel.DataAnnotations;

namespace Runner.Api.Contracts;

/// <summary>
/// The body of POST /api/v1/submissions. Every field is validated by hand in
/// <see cref="Submissions.SubmissionValidator"/> so a 400 names the exact JSON field; the
/// [Required] marks are for the OpenAPI document (nothing enforces them before the validator).
/// </summary>
public sealed record SubmissionRequest
{
    /// <summary>Language id, as listed by GET /api/v1/languages.</summary>
    [Required]
    public string? Language { get; init; }

    /// <summary>The program's source text.</summary>
    [Required]
    public string? Source { get; init; }

    /// <summary>Input of the single implicit test (ignored when <see cref="Tests"/> is given).</summary>
    public string? Stdin { get; init; }

    /// <summary>Expected output of the single implicit test; without it the test only has to run cleanly.</summary>
    public string? ExpectedOutput { get; init; }

    /// <summary>Test cases, run in order; each gets a fresh box.</summary>
    public IReadOnlyList<TestCaseRequest>? Tests { get; init; }

    /// <summary>Limits per test; omitted fields take the server's defaults.</summary>
    public LimitsRequest? Limits { get; init; }

    /// <summary>How output is compared with expected_output (default lines).</summary>
    public CheckerRequest? Checker { get; init; }

    /// <summary>An interactive problem's interactor (README.md, "Interactive problems"): it talks to the program and decides each test.</summary>
    public InteractorRequest? Interactor { get; init; }

    /// <summary>Stop at the first failing test (judges) instead of running all (autograders, the default).</summary>
    public bool StopOnFirstFailure { get; init; }

    /// <summary>Absolute http(s) URL that receives the finished result; its host must be allowed by configuration.</summary>
    public string? CallbackUrl { get; init; }

    /// <summary>More files beside the source (headers, modules, Java packages): relative path in /box to its text.</summary>
    public IReadOnlyDictionary<string, string>? Files { get; init; }

    /// <summary>Subtasks over the tests (by name); see README.md, "Groups".</summary>
    public IReadOnlyList<GroupRequest>? Groups { get; init; }

    /// <summary>A stored problem's id: its tests, limits, checker and groups judge the submission (not together with tests, stdin, expected_output, limits, checker or groups).</summary>
    public string? Problem { get; init; }

    /// <summary>With problem: the version to judge with (default the latest not retired).</summary>
    public string? Version { get; init; }
}

/// <summary>One test: the program's stdin and, optionally, the answer its output is checked against.</summary>
public sealed record TestCaseRequest
{
    /// <summary>Unique within the submission; defaults to the 1-based index.</summary>
    public string? Name { get; init; }

    /// <summary>The program's stdin (default empty).</summary>
    public string? Input { get; init; }

    /// <summary>The answer; without it the test passes when the program runs cleanly.</summary>
    public string? ExpectedOutput { get; init; }
}

/// <summary>Per-run limits; omitted fields take the server's defaults. Times in seconds, sizes in bytes.</summary>
public sealed record LimitsRequest
{
    /// <summary>CPU time per test, seconds.</summary>
    public double? Time { get; init; }

    /// <summary>Wall-clock time per test, seconds.</summary>
    public double? WallTime { get; init; }

    /// <summary>Memory per test, bytes.</summary>
    public long? Memory { get; init; }

    /// <summary>Processes + threads per box.</summary>
    public int? Pids { get; init; }

    /// <summary>Cap on captured stdout/stderr per run, bytes.</summary>
    public long? Output { get; init; }
}

/// <summary>How output is compared with the expected output.</summary>
public sealed record CheckerRequest
{
    /// <summary>exact | lines (default) | tokens | float | custom.</summary>
    public string? Type { get; init; }

    /// <summary>For float: absolute/relative epsilon (default 1e-6).</summary>
    public double? Epsilon { get; init; }

    /// <summary>For custom: the checker's language id.</summary>
    public string? Language { get; init; }

    /// <summary>For custom: the checker's source (testlib convention: checker input output answer).</summary>
    public string? Source { get; init; }
}
