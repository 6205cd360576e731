using Runner.Judge.Checking;
using Runner.Judge.Groups;
using Runner.Sandbox;

namespace Runner.Judge;

/// <summary>One submission: source, language, tests, limits and checker.</summary>
public sealed record JudgeRequest
{
    /// <summary>A language id from the <see cref="Languages.LanguageCatalog"/>.</summary>
    public required string Language { get; init; }

    /// <summary>The source text, written as UTF-8 to the language's source file.</summary>
    public required string Source { get; init; }

    public required IReadOnlyList<TestCase> Tests { get; init; }

    /// <summary>
    /// Per-test limits before the language's adjustments. CPU time, memory and output are the
    /// ones a judge sets; the wall limit defaults to 2 x CPU + 1 s.
    /// </summary>
    public SandboxLimits Limits { get; init; } = JudgeDefaults.RunLimits;

    public CheckerSpec Checker { get; init; } = CheckerSpec.Lines;

    /// <summary>An interactive problem's interactor; it then decides each test and no checker runs.</summary>
    public InteractorSpec? Interactor { get; init; }

    /// <summary>Stop after the first test that is not accepted (judges); the default runs all (autograders).</summary>
    public bool StopOnFirstFailure { get; init; }

    /// <summary>
    /// Subtasks (README.md, "Groups"): null scores every test 1 point. When given, every test
    /// belongs to exactly one group and tests run group by group, in the groups' order.
    /// </summary>
    public IReadOnlyList<TestGroup>? Groups { get; init; }

    /// <summary>
    /// More files beside the source (headers, modules, Java packages): a relative path in /box
    /// to its UTF-8 text. The language's commands still name only the main source file.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Files { get; init; }

    /// <summary>Files beside the source: at most this many.</summary>
    public const int MaxFiles = 100;

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Language)) throw new JudgeRequestException("language", "a language is required");
        if (Source is null) throw new JudgeRequestException("source", "a source is required");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var test in Tests)
        {
            if (string.IsNullOrEmpty(test.Name)) throw new JudgeRequestException("tests", "every test needs a name");
            if (!names.Add(test.Name)) throw new JudgeRequestException("tests", $"test '{test.Name}' is listed twice");
        }
        if (Groups is not null && TestGroup.Check(Groups, Tests.Select(t => t.Name)) is { } bad)
            throw new JudgeRequestException(bad.Field, bad.Message);
        if (Files is not null)
        {
            if (Files.Count > MaxFiles) throw new JudgeRequestException("files", $"{Files.Count} files; at most {MaxFiles}");
            foreach (var (path, text) in Files)
            {
                if (SubmissionFiles.Problem(path) is { } problem) throw new JudgeRequestException($"files.{path}", problem);
                if (text is null) throw new JudgeRequestException($"files.{path}", "has no content");
            }
            if (SubmissionFiles.Conflict(Files.Keys) is { } conflict) throw new JudgeRequestException($"files.{conflict.Path}", conflict.Message);
        }
        try
        {
            Limits.Validate();
        }
        catch (SandboxSpecException e)
        {
            throw new JudgeRequestException(e.Field, e.Message);
        }
        Checker.Validate();
        if (Interactor is { } interactor)
        {
            if (string.IsNullOrEmpty(interactor.Source))
                throw new JudgeRequestException("interactor", "an interactor needs its source");
            if (Checker.Kind == CheckerKind.Custom)
                throw new JudgeRequestException("checker", "an interactive problem's interactor decides each test: give no custom checker");
        }
    }
}

/// <summary>An interactor's source and the language id it is written in (README.md#interactive-problems).</summary>
public sealed record InteractorSpec(string Source, string Language = "cpp");

/// <summary>One test: input fed to stdin and the answer the checker compares with.</summary>
/// <param name="Answer">
/// Null: there is no expected output, so the test is judged by how the program ended alone
/// (accepted when it exits 0 within its limits) and no checker runs.
/// </param>
public sealed record TestCase(string Name, TestData Input, TestData? Answer)
{
    public static TestCase FromFiles(string name, string inputPath, string? answerPath) =>
        new(name, TestData.FromFile(inputPath), answerPath is null ? null : TestData.FromFile(answerPath));

    public static TestCase FromText(string name, string input, string? answer) =>
        new(name, TestData.FromText(input), answer is null ? null : TestData.FromText(answer));
}

/// <summary>Test data given either as a host file (read by the judge, never by a box) or in memory.</summary>
public sealed record TestData
{
    private TestData(string? path, byte[]? bytes) => (Path, Bytes) = (path, bytes);

    public string? Path { get; }
    public byte[]? Bytes { get; }

    public static TestData FromFile(string path) => new(path, null);
    public static TestData FromBytes(byte[] bytes) => new(null, bytes);
    public static TestData FromText(string text) => new(null, System.Text.Encoding.UTF8.GetBytes(text));

    internal byte[] Read() => Bytes ?? File.ReadAllBytes(Path!);
}

/// <summary>A request field is invalid; <see cref="Field"/> names it as the CLI and API do.</summary>
public sealed class JudgeRequestException(string field, string message) : ArgumentException(message)
{
    public string Field { get; } = field;
}
