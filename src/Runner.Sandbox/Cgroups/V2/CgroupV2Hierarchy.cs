using System.Globalization;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Cgroups.V2;

/// <summary>
/// Cgroup v2: one unified tree; boxes are <c>&lt;root&gt;/&lt;parent&gt;/&lt;box&gt;</c>. Every level
/// above a box must list the box's controllers in its cgroup.subtree_control.
/// </summary>
internal sealed class CgroupV2Hierarchy(string root, string parent, CgroupSystemCalls sys) : ICgroupHierarchy
{
    private static readonly string[] Required = ["memory", "cpu", "pids"];

    public int Version => 2;

    public IBoxCgroup CreateBox(string name, CgroupLimits limits)
    {
        CgroupNames.ValidateBox(name);
        var cpusetLater = limits.CpusetLater && ReadWords(Path.Combine(root, "cgroup.controllers")).Contains("cpuset");
        var controllers = limits.Cpuset is not null || cpusetLater ? [.. Required, "cpuset"] : Required;
        var parentDir = EnsureParent(controllers);
        var dir = Path.Combine(parentDir, name);
        try
        {
            CgroupTree.Remove(sys, dir);
        }
        catch (IOException e)
        {
            throw new CgroupUnavailableException($"cannot remove the leftover box cgroup {dir}: {e.Message}", e);
        }

        CgroupTree.EnsureDirectory(sys, dir, Hint);
        CgroupV2Box? box = null;
        try
        {
            WriteLimits(dir, limits);
            box = new CgroupV2Box(sys, dir, l => WriteLimits(dir, l), controllers.Contains("cpuset"));
            return box;
        }
        catch
        {
            if (box is null)
            {
                CgroupTree.Remove(sys, dir);
            }

            throw;
        }
    }

    public IReadOnlyList<string> ExistingBoxes()
    {
        var found = new List<string>();
        CgroupTree.AddBoxesIn(Path.Combine(root, parent), found);
        return found;
    }

    public void RemoveBox(string name)
    {
        CgroupNames.ValidateBox(name);
        CgroupTree.Remove(sys, Path.Combine(root, parent, name));
    }

    private void WriteLimits(string dir, CgroupLimits limits)
    {
        CgroupTree.WriteOrFail(Path.Combine(dir, "memory.max"), Invariant(limits.MemoryBytes), Hint);
        var swap = Path.Combine(dir, "memory.swap.max");
        if (File.Exists(swap))
        {
            CgroupTree.WriteOrFail(swap, "0", Hint);
        }

        var quota = limits.CpuQuotaMicroseconds is { } q ? Invariant(q) : "max";
        CgroupTree.WriteOrFail(Path.Combine(dir, "cpu.max"), $"{quota} {Invariant(limits.CpuPeriodMicroseconds)}", Hint);
        CgroupTree.WriteOrFail(Path.Combine(dir, "pids.max"), Invariant(limits.Pids), Hint);
        if (limits.Cpuset is { } cpus)
        {
            CgroupTree.WriteCpus(Path.Combine(dir, "cpuset.cpus"), cpus, Path.Combine(Path.GetDirectoryName(dir)!, "cpuset.cpus.effective"), Hint);
        }
    }

    /// <summary>Creates the parent levels and enables the controllers from the root down.</summary>
    private string EnsureParent(string[] controllers)
    {
        var available = ReadWords(Path.Combine(root, "cgroup.controllers"));
        var missing = controllers.Where(c => !available.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new CgroupUnavailableException(
                $"cgroup v2 controller(s) {string.Join(", ", missing)} not available at {root} (cgroup.controllers: '{string.Join(' ', available)}'). "
                + $"Enable them in the cgroup above {root} (echo '+{string.Join(" +", missing)}' > <its>/cgroup.subtree_control), "
                + "or run Runner as a systemd service with Delegate=yes and point CgroupRoot at its cgroup");
        }

        EnableControllers(root, controllers);
        var dir = root;
        foreach (var part in parent.Split('/'))
        {
            dir = Path.Combine(dir, part);
            CgroupTree.EnsureDirectory(sys, dir, Hint);
            EnableControllers(dir, controllers);
        }

        return dir;
    }

    private void EnableControllers(string dir, string[] controllers)
    {
        var file = Path.Combine(dir, "cgroup.subtree_control");
        var enabled = ReadWords(file);
        var missing = controllers.Where(c => !enabled.Contains(c)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var value = string.Join(' ', missing.Select(c => "+" + c));
        var errno = CgroupFile.TryWrite(file, value);
        switch (errno)
        {
            case 0:
                return;
            case Errno.EBUSY:
                throw new CgroupUnavailableException(
                    $"cannot write '{value}' to {file}: {ErrnoName.Describe(errno)}. A cgroup v2 cgroup with processes of its own "
                    + $"cannot pass controllers to children (no-internal-process rule): move the processes in {dir}/cgroup.procs into a leaf cgroup, "
                    + "or point CgroupRoot at a cgroup that holds none (with systemd: Delegate=yes and run Runner itself in a sub-cgroup)");
            case Errno.ENOENT:
                throw new CgroupUnavailableException(Hint($"{file} does not exist"));
            default:
                throw new CgroupUnavailableException(Hint($"cannot write '{value}' to {file}: {ErrnoName.Describe(errno)}"));
        }
    }

    public IReadOnlyList<string> Check()
    {
        var lines = new List<string>
        {
            $"at {root} (parent {parent}): controllers available: {string.Join(' ', ReadWords(Path.Combine(root, "cgroup.controllers")))}",
        };
        using (var probe = (CgroupV2Box)CreateBox($"runner-check-{Environment.ProcessId}", new CgroupLimits(64 << 20, 16, 50_000)))
        {
            lines.Add(File.Exists(Path.Combine(probe.Directory, "memory.swap.max"))
                ? "swap: memory.swap.max = 0"
                : "swap: not controllable (no memory.swap.max: kernel without swap accounting); boxes may swap if the host has swap");
            lines.Add(probe.HasMemoryPeak
                ? "memory.peak: available"
                : "memory.peak: not available on this kernel (< 5.19); peak memory will be reported as unknown");
            lines.Add(probe.HasPidsPeak ? "pids.peak: available" : "pids.peak: not available on this kernel (< 6.1)");
            lines.Add(probe.HasKill
                ? "cgroup.kill: available"
                : "cgroup.kill: not available on this kernel (< 5.14); kill uses freeze + SIGKILL of each process");
            _ = probe.ReadUsage();
        }

        lines.Add("probe box: created, limited, removed");
        return lines;
    }

    private string Hint(string detail)
    {
        var p = Path.Combine(root, parent);
        var user = Environment.UserName;
        return $"{detail}. Runner needs a writable cgroup v2 subtree with the memory, cpu and pids controllers for memory limits; as root run: "
            + $"mkdir -p {p} && echo '+memory +cpu +pids' > {root}/cgroup.subtree_control && "
            + $"chown {user} {p} {p}/cgroup.procs {p}/cgroup.subtree_control; "
            + "or run Runner as a systemd service with Delegate=yes and point CgroupRoot at its delegated cgroup";
    }

    private static HashSet<string> ReadWords(string path)
    {
        try
        {
            return [.. CgroupFile.ReadText(path).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CgroupUnavailableException($"cannot read {path}: {e.Message}. Is CgroupRoot a cgroup v2 mount?", e);
        }
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
