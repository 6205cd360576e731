namespace Runner.Sandbox;

/// <summary>Host-side configuration of the engine (not per run).</summary>
public sealed record SandboxOptions
{
    /// <summary>First host uid/gid of the box range when the launcher is root.</summary>
    public int FirstBoxUid { get; init; } = 100_000;

    /// <summary>
    /// Number of box slots; each concurrent box holds one exclusively, across every process on
    /// the host that uses the same <see cref="StateDirectory"/>. So this bounds the boxes running
    /// at once per host, not per process: by default one per core, so that CPU time limits stay
    /// CPU time and do not turn into wall-clock kills when several workers share a host.
    /// </summary>
    public int SlotCount { get; init; } = Environment.ProcessorCount;

    /// <summary>How long a launch waits for a free slot before it fails.</summary>
    public TimeSpan SlotWait { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Name of the cgroup, under each hierarchy's root, that holds every box cgroup.</summary>
    public string CgroupParent { get; init; } = "runner";

    /// <summary>Root of the cgroup filesystem.</summary>
    public string CgroupRoot { get; init; } = "/sys/fs/cgroup";

    /// <summary>
    /// Directory for slot lock files and the new-root mount point; null picks /run/runner (root)
    /// or $XDG_RUNTIME_DIR/runner. Every launcher on a host that hands out the same uid range
    /// must use the same directory, or two boxes could get the same uid.
    /// </summary>
    public string? StateDirectory { get; init; }

    /// <summary>Field names as <see cref="SandboxSpecException.Field"/> reports them: the property in snake_case.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(CgroupParent) || CgroupParent.StartsWith('/') || CgroupParent.Contains('\0')
            || CgroupParent.Split('/').Any(p => p is "" or "." or ".."))
            throw new SandboxSpecException("cgroup_parent", $"expected a cgroup path relative to each hierarchy's root, such as 'runner', got '{CgroupParent}'");
        if (FirstBoxUid < 1)
            throw new SandboxSpecException("first_box_uid", $"expected a uid of at least 1, got {FirstBoxUid}");
        if (SlotCount < 1)
            throw new SandboxSpecException("slot_count", $"expected at least 1 slot, got {SlotCount}");
        if (StateDirectory is { } dir && !Path.IsPathRooted(dir))
            throw new SandboxSpecException("state_directory", $"expected an absolute path, got '{dir}'");
    }
}
