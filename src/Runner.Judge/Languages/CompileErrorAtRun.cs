using System.Text.RegularExpressions;
using Runner.Sandbox;

namespace Runner.Judge.Languages;

/// <summary>
/// How a run shows that the interpreter refused the source before running any of it. For a
/// language whose separate syntax check costs a whole interpreter start per submission (python3:
/// as much as a test's run), the judge skips the submission's compile step and reads the first
/// test's run instead: a run ending this way is the compile failure (compilation_error, with the
/// interpreter's stderr as the compiler output), never a runtime error of that test.
/// </summary>
public sealed record CompileErrorAtRun
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);
    private Regex? _lastLine;

    /// <summary>The interpreter's exit code for a source it cannot compile (python3: 1).</summary>
    public required int ExitCode { get; init; }

    /// <summary>A regular expression the last non-empty line of stderr matches (python3: the SyntaxError family).</summary>
    public required string LastStderrLine { get; init; }

    /// <summary>
    /// Text that, anywhere in stderr, means the program did start (python3's traceback header: a
    /// SyntaxError raised by the program's own exec or import is a runtime error).
    /// </summary>
    public string? UnlessStderrContains { get; init; }

    internal bool Matches(SandboxResult r)
    {
        if (r.Status != SandboxStatus.RuntimeError || r.ExitCode != ExitCode) return false;
        if (UnlessStderrContains is { Length: > 0 } ran && r.Stderr.Contains(ran, StringComparison.Ordinal)) return false;
        var last = r.Stderr.TrimEnd().Split('\n').LastOrDefault()?.Trim() ?? "";
        return LastLine.IsMatch(last);
    }

    private Regex LastLine => _lastLine ??= new Regex(LastStderrLine, RegexOptions.CultureInvariant, MatchTimeout);

    internal void Validate(string where)
    {
        try
        {
            _ = LastLine;
        }
        catch (ArgumentException e)
        {
            throw new LanguageFileException($"{where}: last_stderr_line is not a regular expression: {e.Message}");
        }
    }
}
