using System.Globalization;
using Runner.Sandbox;

namespace Runner.Judge.Languages;

/// <summary>
/// One language as the operator's data file describes it (README.md#languages).
/// Argv entries may use <c>{memory_mib}</c>: the submission's memory limit in MiB, before the
/// language's headroom, so a runtime's own heap cap (JVM <c>-Xmx</c>) trips before the cgroup's.
/// </summary>
public sealed record LanguageDefinition
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>File name the source is written to in /box, e.g. Main.java.</summary>
    public required string SourceFile { get; init; }

    /// <summary>Prints the toolchain version (stdout or stderr, first line); also proves it is present.</summary>
    public required IReadOnlyList<string> Version { get; init; }

    /// <summary>Null for languages without a compile step.</summary>
    public IReadOnlyList<string>? Compile { get; init; }

    public required IReadOnlyList<string> Run { get; init; }

    /// <summary>
    /// The compile step only checks the syntax and produces nothing the run needs (python -c
    /// compile, node --check, perl -c, bash -n). Code-execution APIs (Judge0, Piston) skip it,
    /// as their originals have no such step.
    /// </summary>
    public bool CompileChecksOnly { get; init; }

    public LimitAdjustment? CompileLimits { get; init; }
    public LimitAdjustment? RunLimits { get; init; }

    /// <summary>Extra environment for compile and run.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>
    /// Strings a runtime prints on stderr when it ran out of memory and turned that into an exit
    /// code (Java's OutOfMemoryError exits 1, Python's MemoryError too): such a run is
    /// memory_limit_exceeded, not runtime_error.
    /// </summary>
    public IReadOnlyList<string>? MemoryErrorMarkers { get; init; }

    /// <summary>
    /// Set when the submission's compile step is folded into its first test's run (see
    /// <see cref="CompileErrorAtRun"/>); <see cref="Compile"/> then only checks custom checkers.
    /// </summary>
    public CompileErrorAtRun? CompileErrorsAtRun { get; init; }

    internal IReadOnlyList<string> Expand(IReadOnlyList<string> argv, long memoryBytes) =>
        argv.Select(a => a.Replace("{memory_mib}", Math.Max(1, memoryBytes >> 20).ToString(CultureInfo.InvariantCulture),
            StringComparison.Ordinal)).ToArray();

    internal void Validate(string origin)
    {
        string Where(string field) => $"{origin}: language '{Id}': {field}";
        if (string.IsNullOrWhiteSpace(Id) || Id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+')))
            throw new LanguageFileException($"{origin}: language id '{Id}' must be letters, digits, '-', '_', '.' or '+'");
        if (string.IsNullOrWhiteSpace(Name)) throw new LanguageFileException(Where("name is required"));
        if (SourceFile is null || SourceFile.Length == 0 || SourceFile.Contains('/') || SourceFile is "." or "..")
            throw new LanguageFileException(Where("source_file must be a plain file name"));
        if (Run is not { Count: > 0 }) throw new LanguageFileException(Where("run argv is required"));
        if (Version is not { Count: > 0 }) throw new LanguageFileException(Where("version argv is required"));
        if (Compile is { Count: 0 }) throw new LanguageFileException(Where("compile argv, when given, must not be empty"));
        CompileLimits?.Validate(Where("compile_limits"));
        RunLimits?.Validate(Where("run_limits"));
        CompileErrorsAtRun?.Validate(Where("compile_errors_at_run"));
    }
}

/// <summary>
/// How a language changes the submission's limits. Memory stays enforced by the box's cgroup
/// (never RLIMIT_AS, which a JVM or V8 reserves far beyond what it touches).
/// </summary>
public sealed record LimitAdjustment
{
    /// <summary>Added to the cgroup memory limit for the runtime's own overhead, e.g. "192M".</summary>
    public string? MemoryHeadroom { get; init; }

    /// <summary>The box gets at least this many pids (JVM and V8 run many threads).</summary>
    public int? MinPids { get; init; }

    /// <summary>Added to the CPU limit (compile only: a JVM compiler is slow to start).</summary>
    public double? ExtraCpuSeconds { get; init; }

    internal long HeadroomBytes => MemoryHeadroom is { } h ? ByteSize.Parse(h) : 0;

    internal void Validate(string where)
    {
        if (MemoryHeadroom is { } h && !ByteSize.TryParse(h, out _))
            throw new LanguageFileException($"{where}: memory_headroom '{h}' is not a size like 192M");
        if (MinPids is < 1) throw new LanguageFileException($"{where}: min_pids must be at least 1");
        if (ExtraCpuSeconds is < 0) throw new LanguageFileException($"{where}: extra_cpu_seconds must not be negative");
    }

    internal SandboxLimits Apply(SandboxLimits limits) => limits with
    {
        MemoryBytes = limits.MemoryBytes + HeadroomBytes,
        Pids = Math.Max(limits.Pids, MinPids ?? 0),
        CpuTimeSeconds = limits.CpuTimeSeconds + (ExtraCpuSeconds ?? 0),
        WallTimeSeconds = limits.WallTimeSeconds is { } w ? w + 2 * (ExtraCpuSeconds ?? 0) : null,
    };
}

/// <summary>A languages file is malformed; the message names the file and the language.</summary>
public sealed class LanguageFileException(string message) : Exception(message);
