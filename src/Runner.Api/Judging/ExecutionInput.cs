using System.Text.Json;
using Runner.Sandbox;

namespace Runner.Api.Judging;

/// <summary>
/// How a compatibility API's submission runs: the program's exact bytes, arguments and the
/// limits that API allows beyond Runner's own. <see cref="Storage.JudgeInput.Limits"/> holds the
/// verdict limits; the run is killed only at those plus <see cref="ExtraTime"/> (Judge0's
/// cpu_extra_time, isolate's -x).
/// </summary>
public sealed record ExecutionInput
{
    /// <summary>"judge0" or "piston": which API made it and reads it back.</summary>
    public required string Api { get; init; }

    public required byte[] Source { get; init; }
    public byte[] Stdin { get; init; } = [];

    /// <summary>Null: the language's own file name.</summary>
    public string? SourceFile { get; init; }

    public IReadOnlyList<ExecutionInputFile> Files { get; init; } = [];
    public IReadOnlyList<string> CompileArguments { get; init; } = [];
    public IReadOnlyList<string> RunArguments { get; init; } = [];
    public double ExtraTime { get; init; }
    public long? StackBytes { get; init; }
    public long? FileSizeBytes { get; init; }
    public int Runs { get; init; } = 1;

    /// <summary>Null: the judge's compile limits.</summary>
    public double? CompileTime { get; init; }
    public double? CompileWallTime { get; init; }
    public long? CompileMemory { get; init; }

    /// <summary>The program's stdout is both streams in write order (Judge0's redirect_stderr_to_stdout); checked so.</summary>
    public bool MergeStderr { get; init; }

    /// <summary>Null: no comparison; the run only has to end well.</summary>
    public byte[]? ExpectedOutput { get; init; }

    /// <summary>The API's own request fields as that API echoes them back (Judge0's fields=*).</summary>
    public JsonElement? Origin { get; init; }
}

public sealed record ExecutionInputFile(string Name, byte[] Content);

/// <summary>What a compatibility API reports: each step in full, raw bytes kept.</summary>
/// <param name="InternalError">The judge failed before any step could be trusted.</param>
public sealed record ExecutionResult(
    ExecutionStep? Compile,
    ExecutionStep? Run,
    int Runs,
    double AverageCpuTime,
    double AverageWallTime,
    long? AverageMemoryPeak,
    string? InternalError);

/// <param name="Chunks">Read order of the two streams: a positive length is stdout, a negative one stderr.</param>
public sealed record ExecutionStep(
    SandboxStatus Status,
    int? ExitCode,
    int? Signal,
    double CpuTime,
    double WallTime,
    long? MemoryPeak,
    byte[] Stdout,
    byte[] Stderr,
    IReadOnlyList<int> Chunks,
    bool ChunksComplete,
    string Message)
{
    public static ExecutionStep From(SandboxResult r) => new(r.Status, r.ExitCode, r.Signal, r.CpuTime, r.WallTime, r.MemoryPeak,
        r.StdoutBytes, r.StderrBytes, r.OutputChunks.Select(c => c.Stream == OutputStream.Stdout ? c.Length : -c.Length).ToList(),
        r.OutputChunksComplete, r.Message);

    /// <summary>Stdout and stderr interleaved in the order they were read.</summary>
    public byte[] Output() => OutputChunk.Interleave(Stdout, Stderr,
        Chunks.Select(c => new OutputChunk(c >= 0 ? OutputStream.Stdout : OutputStream.Stderr, Math.Abs(c))));
}
