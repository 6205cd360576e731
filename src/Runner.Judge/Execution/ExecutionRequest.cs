using Runner.Sandbox;

namespace Runner.Judge.Execution;

/// <summary>
/// One program run as code-execution services (Judge0, Piston) do it: compile if the language
/// needs it, then run once with stdin and arguments, keeping every byte of both streams. No
/// tests and no checker: the caller judges the result.
/// </summary>
public sealed record ExecutionRequest
{
    /// <summary>A language id from the <see cref="Languages.LanguageCatalog"/>.</summary>
    public required string Language { get; init; }

    public required byte[] Source { get; init; }

    /// <summary>
    /// The main file's name in /box; null means the language's own source name (main plus its extension). When it
    /// differs, the language's argv entries naming its source file, or that file's stem (Java's
    /// class <c>Main</c>), name this file instead.
    /// </summary>
    public string? SourceFile { get; init; }

    /// <summary>More files written beside the main one (relative paths).</summary>
    public IReadOnlyList<ExecutionFile> Files { get; init; } = [];

    public byte[] Stdin { get; init; } = [];

    /// <summary>Inserted into the compile argv just before the source file's name (where Judge0 puts them).</summary>
    public IReadOnlyList<string> CompileArguments { get; init; } = [];

    /// <summary>Appended to the run argv.</summary>
    public IReadOnlyList<string> RunArguments { get; init; } = [];

    /// <summary>The run's limits before the language's adjustments; these are the kill limits.</summary>
    public SandboxLimits RunLimits { get; init; } = JudgeDefaults.RunLimits;

    /// <summary>Null: the judge's compile limits.</summary>
    public SandboxLimits? CompileLimits { get; init; }

    /// <summary>
    /// Skip a compile step that only checks the syntax (python, javascript, perl, bash): these
    /// services have none, so a syntax error is the run's non-zero exit.
    /// </summary>
    public bool SkipCheckOnlyCompile { get; init; }

    /// <summary>Runs of the program, each in a fresh box; stops after the first that does not end ok.</summary>
    public int Runs { get; init; } = 1;
}

public sealed record ExecutionFile(string Name, byte[] Content);

/// <summary>What happened: the compile step (null when none ran) and the last run (null when it never ran).</summary>
public sealed record ExecutionReport
{
    public SandboxResult? Compile { get; init; }

    /// <summary>The last run; its times and peak memory are those of that run.</summary>
    public SandboxResult? Run { get; init; }

    /// <summary>Runs done; with several, <see cref="AverageCpuTime"/> and the others average them.</summary>
    public int Runs { get; init; }

    public double AverageCpuTime { get; init; }
    public double AverageWallTime { get; init; }
    public long? AverageMemoryPeak { get; init; }

    /// <summary>Set when the judge itself failed (work directory, files): no step's result can be trusted.</summary>
    public string? InternalError { get; init; }
}
