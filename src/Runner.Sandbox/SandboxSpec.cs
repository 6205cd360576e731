namespace Runner.Sandbox;

/// <summary>Everything one run needs. Validated by <see cref="SandboxSpec.Validate"/> before anything is created.</summary>
public sealed record SandboxSpec
{
    /// <summary>Program and arguments. A program without '/' is looked up in the box's PATH.</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>Extra environment. The box starts from PATH, HOME=/box and LANG=C.UTF-8 only.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public SandboxLimits Limits { get; init; } = new();

    /// <summary>Host file fed to stdin; null means empty stdin (/dev/null).</summary>
    public string? StdinPath { get; init; }

    /// <summary>Host directory bound read-write at /box; null means a fresh, size-capped tmpfs.</summary>
    public string? WorkDir { get; init; }

    /// <summary>Extra bind mounts, in order, after the rootfs layout.</summary>
    public IReadOnlyList<BindMount> Binds { get; init; } = [];

    /// <summary>"default", "none" or the path of a profile in Docker's JSON format.</summary>
    public string Seccomp { get; init; } = "default";

    public string Hostname { get; init; } = DefaultHostname;

    internal const string DefaultHostname = "sandbox";

    /// <summary>
    /// Host directory used as the box's root filesystem image; null means the host's own
    /// /usr with a minimal generated /etc (see rootfs/README.md).
    /// </summary>
    public string? RootfsPath { get; init; }

    public void Validate()
    {
        if (Argv.Count == 0 || string.IsNullOrEmpty(Argv[0]))
            throw new SandboxSpecException("argv", "a program to run is required");
        foreach (var a in Argv)
            if (a.Contains('\0')) throw new SandboxSpecException("argv", "arguments must not contain NUL");
        foreach (var (k, v) in Environment)
            if (k.Length == 0 || k.Contains('=') || k.Contains('\0') || v.Contains('\0'))
                throw new SandboxSpecException("env", $"invalid environment variable name or value: '{k}'");
        if (Hostname.Length is 0 or > 64 || Hostname.Contains('\0'))
            throw new SandboxSpecException("hostname", "hostname must be 1-64 characters");
        Limits.Validate();
        foreach (var b in Binds) b.Validate();
        // Caught here, they are the caller's mistake with the option named; left to the launch,
        // they would be an internal error of whichever step first tripped over them.
        if (StdinPath is { } stdin && !File.Exists(stdin))
            throw new SandboxSpecException("stdin_path", $"no such file: '{stdin}'");
        if (WorkDir is { } dir && !Directory.Exists(dir))
            throw new SandboxSpecException("work_dir", $"no such directory: '{dir}'");
        if (RootfsPath is { } rootfs && !Directory.Exists(rootfs))
            throw new SandboxSpecException("rootfs_path", $"no such directory: '{rootfs}'");
    }
}

/// <param name="Source">Host path.</param>
/// <param name="Target">Absolute path inside the box.</param>
/// <param name="Writable">Read-only unless true.</param>
public sealed record BindMount(string Source, string Target, bool Writable = false)
{
    /// <summary>Parses SRC[:DST][:rw] as the CLI takes it.</summary>
    public static BindMount Parse(string text)
    {
        var parts = text.Split(':');
        var writable = parts.Length > 1 && parts[^1] == "rw";
        var rest = writable ? parts[..^1] : parts;
        if (rest.Length is < 1 or > 2 || rest[0].Length == 0)
            throw new SandboxSpecException("bind", $"expected SRC[:DST][:rw], got '{text}'");
        return new BindMount(rest[0], rest.Length == 2 ? rest[1] : rest[0], writable);
    }

    public void Validate()
    {
        if (!Path.IsPathRooted(Source))
            throw new SandboxSpecException("bind", $"bind source must be an absolute path: '{Source}'");
        if (!Target.StartsWith('/') || Target.Split('/').Contains(".."))
            throw new SandboxSpecException("bind", $"bind target must be an absolute path without '..': '{Target}'");
        if (!Path.Exists(Source))
            throw new SandboxSpecException("bind", $"bind source does not exist: '{Source}'");
    }
}

public sealed record SandboxLimits
{
    /// <summary>CPU time of the whole box (all processes and threads), seconds.</summary>
    public double CpuTimeSeconds { get; init; } = 5;

    /// <summary>Wall clock, seconds; null means 2 x CPU time + 1.</summary>
    public double? WallTimeSeconds { get; init; }

    public long MemoryBytes { get; init; } = 256L << 20;

    /// <summary>Processes + threads in the box.</summary>
    public int Pids { get; init; } = 64;

    /// <summary>Largest file the program may write (RLIMIT_FSIZE).</summary>
    public long FileSizeBytes { get; init; } = 64L << 20;

    /// <summary>Cap per captured output stream; exceeding it ends the run with output_limit.</summary>
    public long OutputBytes { get; init; } = 1L << 20;

    /// <summary>RLIMIT_NOFILE.</summary>
    public int OpenFiles { get; init; } = 256;

    /// <summary>RLIMIT_STACK; null means as large as the memory limit.</summary>
    public long? StackBytes { get; init; }

    /// <summary>Size of the /tmp and /dev/shm tmpfs (and of /box when it is a tmpfs); charged to the memory limit.</summary>
    public long TmpfsBytes { get; init; } = 64L << 20;

    /// <summary>Optional cpuset.cpus pinning, such as "1".</summary>
    public string? Cpuset { get; init; }

    public double EffectiveWallTimeSeconds => WallTimeSeconds ?? 2 * CpuTimeSeconds + 1;

    public void Validate()
    {
        if (!(CpuTimeSeconds > 0) || CpuTimeSeconds > 86_400)
            throw new SandboxSpecException("time", "CPU time must be between 0 and 86400 seconds");
        if (WallTimeSeconds is { } w && (!(w > 0) || w > 86_400))
            throw new SandboxSpecException("wall_time", "wall time must be between 0 and 86400 seconds");
        if (MemoryBytes < (1L << 20))
            throw new SandboxSpecException("memory", "memory must be at least 1M");
        if (Pids < 1)
            throw new SandboxSpecException("pids", "pids must be at least 1");
        if (FileSizeBytes < 0)
            throw new SandboxSpecException("fsize", "fsize must not be negative");
        if (OutputBytes < 0)
            throw new SandboxSpecException("output_limit", "output limit must not be negative");
        if (OpenFiles < 4)
            throw new SandboxSpecException("open_files", "open files must be at least 4");
        if (StackBytes is < 65536)
            throw new SandboxSpecException("stack", "stack must be at least 64K");
        if (TmpfsBytes < 4096)
            throw new SandboxSpecException("tmpfs", "tmpfs size must be at least 4K");
    }
}

/// <summary>A spec field is invalid. <see cref="Field"/> names it as the CLI and API do.</summary>
public sealed class SandboxSpecException(string field, string message) : ArgumentException(message)
{
    public string Field { get; } = field;
}
