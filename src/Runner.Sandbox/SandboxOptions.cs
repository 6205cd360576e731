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

    /// <summary>
    /// Where boxes are cloned from. <see cref="BoxLauncher.Process"/> (default): runner-launcher,
    /// a small C process started once, next to the engine's assembly; a clone then copies its few
    /// page tables rather than this process's (about 12 ms per box in the service). When it cannot
    /// run (not shipped beside the engine), boxes are cloned in-process.
    /// </summary>
    public BoxLauncher Launcher { get; init; } = BoxLauncher.Process;

    /// <summary>
    /// Boxes kept prepared ahead (cloned, in their cgroup, credentials set, waiting for a program)
    /// by a <see cref="WarmPool"/> shared by every <see cref="Box.Run"/> with these options. 0 (the
    /// default): every box is made when its program comes. Warm boxes hold slots of their own
    /// (uids and cgroups numbered after <see cref="SlotCount"/>), at most 64 per host.
    /// </summary>
    public int WarmBoxes { get; init; }

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
        if (WarmBoxes is < 0 or > Launch.BoxSlot.WarmSlotCount)
            throw new SandboxSpecException("warm_boxes", $"expected 0 to {Launch.BoxSlot.WarmSlotCount} warm boxes, got {WarmBoxes}");
        if (StateDirectory is { } dir && !Path.IsPathRooted(dir))
            throw new SandboxSpecException("state_directory", $"expected an absolute path, got '{dir}'");
    }
}

/// <summary>Where boxes are cloned from (see <see cref="SandboxOptions.Launcher"/>).</summary>
public enum BoxLauncher
{
    /// <summary>runner-launcher, a small process of its own; in-process when it cannot run.</summary>
    Process,

    /// <summary>This process: no helper process, but each clone copies this process's page tables.</summary>
    InProcess,
}
