using Runner.Judge.Languages;
using Runner.Sandbox;

namespace Runner.Judge;

/// <summary>Host-side configuration of the judge (not per submission).</summary>
public sealed record JudgeOptions
{
    public SandboxOptions Sandbox { get; init; } = new();

    /// <summary>
    /// Boxes one <see cref="JudgePipeline.Run"/> keeps prepared ahead for itself, in a
    /// <see cref="WarmPool"/> of its own made with <see cref="Sandbox"/> and drained before it
    /// returns: box N+1 is cloned from runner-launcher and set up (namespaces, cgroup, filesystem)
    /// while test N runs, and only the last one is wasted. A box still serves one program only.
    /// For a process that judges one submission (`runner judge` uses 1); a service shares one
    /// pool across submissions instead (<see cref="SandboxOptions.WarmBoxes"/>). 0 (the default):
    /// none. Ignored when <see cref="SandboxOptions.Launcher"/> is in-process or the engine is
    /// rootless (a warm box cannot take a work dir there).
    /// </summary>
    public int WarmBoxes { get; init; }

    /// <summary>Root filesystem image for every box; null means the host's /usr (rootfs/README.md).</summary>
    public string? RootfsPath { get; init; }

    /// <summary>Null loads <see cref="LanguageCatalog.Load"/> (built-in plus RUNNER_LANGUAGES) once per process.</summary>
    public LanguageCatalog? Languages { get; init; }

    /// <summary>
    /// Where per-step box directories are created; each submission gets a private subdirectory,
    /// removed afterwards. The default is on /dev/shm when that is a tmpfs: what a box writes to
    /// /box there is charged to its memory cgroup, so a disk-filling program meets its memory
    /// limit instead of filling the host's disk. Otherwise $TMPDIR.
    /// </summary>
    public string WorkRoot { get; init; } = Runner.Sandbox.HostFiles.WorkRoot.Default("judge");

    /// <summary>Limits of compiling the submission and a custom checker, before language adjustments.</summary>
    public SandboxLimits CompileLimits { get; init; } = JudgeDefaults.CompileLimits;

    /// <summary>Limits of one custom checker run.</summary>
    public SandboxLimits CheckerLimits { get; init; } = JudgeDefaults.CheckerLimits;

    /// <summary>Limits of one interactor run; its wall limit is always the program's plus 1 s.</summary>
    public SandboxLimits InteractorLimits { get; init; } = JudgeDefaults.InteractorLimits;

    /// <summary>Compiler output kept in the report.</summary>
    public int CompileOutputBytes { get; init; } = 64 << 10;

    /// <summary>Program output kept in each test's excerpt.</summary>
    public int ExcerptBytes { get; init; } = 256;

    /// <summary>Cap on what the compile box may leave behind to be copied into each test's box.</summary>
    public long MaxArtifactBytes { get; init; } = 256L << 20;
}

public static class JudgeDefaults
{
    public static SandboxLimits RunLimits { get; } = new()
    {
        CpuTimeSeconds = 2,
        MemoryBytes = 256L << 20,
        OutputBytes = 16L << 20,
        Pids = 64,
    };

    public static SandboxLimits CompileLimits { get; } = new()
    {
        CpuTimeSeconds = 10,
        WallTimeSeconds = 30,
        MemoryBytes = 512L << 20,
        Pids = 64,
        OutputBytes = 1L << 20,
        FileSizeBytes = 256L << 20,
    };

    public static SandboxLimits InteractorLimits { get; } = new()
    {
        CpuTimeSeconds = 10,
        MemoryBytes = 256L << 20,
        OutputBytes = 1L << 20,
    };

    public static SandboxLimits CheckerLimits { get; } = new()
    {
        CpuTimeSeconds = 10,
        WallTimeSeconds = 30,
        MemoryBytes = 512L << 20,
        OutputBytes = 1L << 20,
    };
}
