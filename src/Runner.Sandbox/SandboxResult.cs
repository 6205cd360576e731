using System.Text.Json.Serialization;
using Runner.Sandbox.Launch;

namespace Runner.Sandbox;

/// <summary>
/// How a run ended. The README documents each value as a contract; the snake_case names below
/// are that contract, used by the CLI's JSON and the API alike.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<SandboxStatus>))]
public enum SandboxStatus
{
    /// <summary>Exited with code 0 within every limit.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>Exited with a non-zero code.</summary>
    [JsonStringEnumMemberName("runtime_error")] RuntimeError,
    /// <summary>Killed by a signal that Runner did not send.</summary>
    [JsonStringEnumMemberName("signaled")] Signaled,
    /// <summary>CPU time of the box exceeded the limit.</summary>
    [JsonStringEnumMemberName("time_limit")] TimeLimit,
    /// <summary>Wall clock exceeded the limit.</summary>
    [JsonStringEnumMemberName("wall_time_limit")] WallTimeLimit,
    /// <summary>The kernel's OOM killer acted on the box's memory cgroup.</summary>
    [JsonStringEnumMemberName("memory_limit")] MemoryLimit,
    /// <summary>A captured stream exceeded its cap.</summary>
    [JsonStringEnumMemberName("output_limit")] OutputLimit,
    /// <summary>Runner could not run the program; the message names the step and errno.</summary>
    [JsonStringEnumMemberName("internal_error")] InternalError,
}

/// <summary>The outcome of one run. Times in seconds, sizes in bytes.</summary>
public sealed record SandboxResult
{
    /// <summary>
    /// Stopwatch timestamp at which the supervisor saw the program's execve succeed (its error
    /// pipe closed), 0 when it did not; bench/Runner.Bench measures launch latency with it.
    /// </summary>
    internal long ExecTimestamp { get; init; }

    public required SandboxStatus Status { get; init; }
    public int? ExitCode { get; init; }
    public int? Signal { get; init; }
    public double CpuTime { get; init; }
    public double UserTime { get; init; }
    public double SystemTime { get; init; }
    public double WallTime { get; init; }
    public long? MemoryPeak { get; init; }
    public bool OomKilled { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
    public bool StdoutTruncated { get; init; }
    public bool StderrTruncated { get; init; }
    public required string Message { get; init; }

    /// <summary>For internal errors raised while launching: the step that failed.</summary>
    public LaunchStep? FailedStep { get; init; }

    /// <summary>
    /// Set when execve refused the program itself (not found, not executable, not a format the
    /// kernel runs): the caller named a program the box cannot run. The CLI reports it as a usage
    /// error and the API as a request error; a judge, whose programs come from its own language
    /// definitions, keeps it an internal error.
    /// </summary>
    public string? ProgramError { get; init; }

    /// <summary>CLOCK_MONOTONIC (ns) when the program stopped; orders the two ends of a <see cref="ConnectedResult"/>.</summary>
    internal long EndedNanoseconds { get; init; }

    /// <summary>Raw stdout bytes (up to the cap) for callers that need exact bytes.</summary>
    public byte[] StdoutBytes { get; init; } = [];

    /// <summary>Raw stderr bytes (up to the cap), likewise.</summary>
    public byte[] StderrBytes { get; init; } = [];

    /// <summary>
    /// The order in which the kept bytes of <see cref="StdoutBytes"/> and <see cref="StderrBytes"/>
    /// were read from their pipes, adjacent reads of one stream merged: enough to rebuild one
    /// interleaved stream (see <see cref="OutputChunk.Interleave"/>).
    /// </summary>
    public IReadOnlyList<OutputChunk> OutputChunks { get; init; } = [];

    /// <summary>False when a program wrote so many alternating chunks that recording stopped; the rest follows stream by stream.</summary>
    public bool OutputChunksComplete { get; init; } = true;
}

public enum OutputStream { Stdout, Stderr }

/// <summary>A run of bytes read from one output pipe before the other pipe had anything read.</summary>
public sealed record OutputChunk(OutputStream Stream, int Length)
{
    /// <summary>
    /// Stdout and stderr as one stream in the order the supervisor read them (arrival order at
    /// pipe-read granularity: writes to both pipes between two polls cannot be told apart).
    /// </summary>
    public static byte[] Interleave(byte[] stdout, byte[] stderr, IEnumerable<OutputChunk> chunks)
    {
        var merged = new byte[stdout.Length + stderr.Length];
        int o = 0, e = 0, at = 0;
        foreach (var c in chunks)
        {
            var (source, offset) = c.Stream == OutputStream.Stdout ? (stdout, o) : (stderr, e);
            var length = Math.Min(c.Length, source.Length - offset);
            Array.Copy(source, offset, merged, at, length);
            at += length;
            if (c.Stream == OutputStream.Stdout) o += length;
            else e += length;
        }
        Array.Copy(stdout, o, merged, at, stdout.Length - o);
        at += stdout.Length - o;
        Array.Copy(stderr, e, merged, at, stderr.Length - e);
        return merged;
    }
}

/// <summary>The outcome of <see cref="Box.RunConnected"/>.</summary>
/// <param name="FirstEndedAt">When the first box's program ended, in seconds from the moment the pair started (the earlier go); 0 if it never started.</param>
/// <param name="SecondEndedAt">Likewise for the second: comparing the two says which program ended first.</param>
public sealed record ConnectedResult(SandboxResult First, SandboxResult Second, double FirstEndedAt, double SecondEndedAt);
