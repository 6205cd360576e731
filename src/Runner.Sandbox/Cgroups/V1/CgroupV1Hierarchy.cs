namespace Runner.Sandbox.Cgroups.V1;

/// <summary>
/// Cgroup v1: one directory per controller mount, <c>&lt;mount&gt;/&lt;parent&gt;/&lt;box&gt;</c>.
/// Co-mounted controllers (cpu,cpuacct) share one directory.
/// </summary>
internal sealed class CgroupV1Hierarchy(string root, IReadOnlyDictionary<string, string> mounts, string parent, CgroupSystemCalls sys)
    : ICgroupHierarchy
{
    private static readonly string[] Required = ["memory", "cpu", "cpuacct", "pids"];

    public int Version => 1;

    internal IReadOnlyDictionary<string, string> Mounts => mounts;

    public IBoxCgroup CreateBox(string name, CgroupLimits limits)
    {
        CgroupNames.ValidateBox(name);
        var controllers = limits.Cpuset is not null || (limits.CpusetLater && mounts.ContainsKey("cpuset")) ? [.. Required, "cpuset"] : Required;
        foreach (var controller in controllers)
        {
            if (!mounts.ContainsKey(controller))
            {
                throw new CgroupUnavailableException(
                    $"cgroup v1 controller '{controller}' is not mounted under {root} (no cgroup mount with it there in /proc/self/mountinfo). "
                    + $"Runner needs {string.Join(", ", controllers)}; as root run: mkdir -p {root}/{controller} && mount -t cgroup -o {controller} cgroup {root}/{controller}");
            }
        }

        var dirs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var controller in controllers)
        {
            var parentDir = EnsureParent(mounts[controller], controller == "cpuset");
            dirs[controller] = Path.Combine(parentDir, name);
        }

        var box = new CgroupV1Box(sys, dirs, l => WriteLimits(dirs, l));
        try
        {
            foreach (var dir in box.Directories)
            {
                CgroupTree.Remove(sys, dir);
                CgroupTree.EnsureDirectory(sys, dir, Hint);
            }

            WriteLimits(dirs, limits);
            box.OpenCounters();
            return box;
        }
        catch
        {
            box.Dispose();
            throw;
        }
    }

    private void WriteLimits(Dictionary<string, string> dirs, CgroupLimits limits)
    {
        var memory = dirs["memory"];
        var bytes = limits.MemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var memsw = Path.Combine(memory, "memory.memsw.limit_in_bytes");
        if (File.Exists(memsw))
        {
            // memsw is memory+swap, so equal limits leave no room for swap. The kernel keeps
            // memory <= memsw at every step, so a raise (a warm box's run limits) writes memsw first.
            var raise = CgroupFile.ReadLong(memsw) < limits.MemoryBytes;
            if (raise) CgroupTree.WriteOrFail(memsw, bytes, Hint);
            CgroupTree.WriteOrFail(Path.Combine(memory, "memory.limit_in_bytes"), bytes, Hint);
            if (!raise) CgroupTree.WriteOrFail(memsw, bytes, Hint);
        }
        else
        {
            CgroupTree.WriteOrFail(Path.Combine(memory, "memory.limit_in_bytes"), bytes, Hint);
            // Without swap accounting the next best thing is to make the box never swap.
            CgroupTree.WriteOrFail(Path.Combine(memory, "memory.swappiness"), "0", Hint);
        }

        // v1 charges socket buffers (TCP and UDP alike) to a memory cgroup only once its TCP
        // limit has been written; otherwise a 64 MiB box can hold gigabytes of unread loopback
        // data in host memory. The TCP counter is separate from memory.usage_in_bytes in v1, so
        // a box can hold its limit in each; the peak reported is their sum.
        var tcp = Path.Combine(memory, "memory.kmem.tcp.limit_in_bytes");
        if (File.Exists(tcp))
        {
            CgroupTree.WriteOrFail(tcp, bytes, Hint);
        }

        var cpu = dirs["cpu"];
        CgroupTree.WriteOrFail(Path.Combine(cpu, "cpu.cfs_period_us"), Invariant(limits.CpuPeriodMicroseconds), Hint);
        if (limits.CpuQuotaMicroseconds is { } quota)
        {
            CgroupTree.WriteOrFail(Path.Combine(cpu, "cpu.cfs_quota_us"), Invariant(quota), Hint);
        }

        CgroupTree.WriteOrFail(Path.Combine(dirs["pids"], "pids.max"), Invariant(limits.Pids), Hint);

        if (dirs.TryGetValue("cpuset", out var cpuset))
        {
            // A v1 cpuset with empty cpus or mems refuses tasks; mems are inherited as they are.
            var up = Path.GetDirectoryName(cpuset)!;
            var cpusFile = Path.Combine(cpuset, "cpuset.cpus");
            if (ReadTrimmed(Path.Combine(cpuset, "cpuset.mems")).Length == 0)
            {
                CgroupTree.WriteOrFail(Path.Combine(cpuset, "cpuset.mems"), ReadTrimmed(Path.Combine(up, "cpuset.mems")), Hint);
            }

            if (limits.Cpuset is { } cpus)
            {
                CgroupTree.WriteCpus(cpusFile, cpus, Path.Combine(up, "cpuset.cpus"), Hint);
            }
            else if (ReadTrimmed(cpusFile).Length == 0)
            {
                CgroupTree.WriteOrFail(cpusFile, ReadTrimmed(Path.Combine(up, "cpuset.cpus")), Hint);
            }
        }
    }

    /// <summary>Creates each level of the parent; cpuset levels get cpus/mems copied down.</summary>
    private string EnsureParent(string mount, bool cpuset)
    {
        var dir = mount;
        foreach (var part in parent.Split('/'))
        {
            var up = dir;
            dir = Path.Combine(dir, part);
            CgroupTree.EnsureDirectory(sys, dir, Hint);
            if (cpuset)
            {
                foreach (var file in (string[])["cpuset.cpus", "cpuset.mems"])
                {
                    if (ReadTrimmed(Path.Combine(dir, file)).Length == 0)
                    {
                        CgroupTree.WriteOrFail(Path.Combine(dir, file), ReadTrimmed(Path.Combine(up, file)), Hint);
                    }
                }
            }
        }

        return dir;
    }

    public IReadOnlyList<string> ExistingBoxes()
    {
        // Co-mounted controllers share a directory: list it once. Plain loops, as in CgroupTree.AddBoxesIn.
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in mounts.Values)
        {
            var dir = Path.Combine(mount, parent);
            if (seen.Add(dir)) CgroupTree.AddBoxesIn(dir, found);
        }
        return found;
    }

    public void RemoveBox(string name)
    {
        CgroupNames.ValidateBox(name);
        foreach (var mount in mounts.Values.Distinct())
        {
            CgroupTree.Remove(sys, Path.Combine(mount, parent, name));
        }
    }

    public IReadOnlyList<string> Check()
    {
        var lines = new List<string>();
        var present = CgroupV1Mounts.Known.Where(mounts.ContainsKey).ToList();
        var common = present.All(c => Path.GetDirectoryName(mounts[c]) == root.TrimEnd('/'))
            ? $"at {root}"
            : "at " + string.Join(", ", present.Select(c => $"{c}={mounts[c]}"));
        lines.Add($"controllers {string.Join(", ", present)} {common} (parent {parent})");

        const string probeName = "runner-check";
        using (var probe = (CgroupV1Box)CreateBox($"{probeName}-{Environment.ProcessId}", new CgroupLimits(64 << 20, 16, 50_000)))
        {
            var memory = probe.Directories.First(d => File.Exists(Path.Combine(d, "memory.limit_in_bytes")));
            lines.Add(File.Exists(Path.Combine(memory, "memory.memsw.limit_in_bytes"))
                ? "swap accounting: on (memory.memsw.limit_in_bytes = memory limit)"
                : "swap accounting: off (no memory.memsw.*; boot with swapaccount=1). Using memory.swappiness=0 instead");
            lines.Add(CgroupFile.ReadKeyed(Path.Combine(memory, "memory.oom_control"), "oom_kill"u8) is null
                ? "OOM kill count: not available on this kernel (memory.oom_control has no oom_kill)"
                : "OOM kill count: memory.oom_control oom_kill");
            lines.Add(probe.HasPidsPeak ? "pids.peak: available" : "pids.peak: not available on this kernel");
            lines.Add(probe.HasSplitCpuUsage
                ? "cpu user/system: cpuacct.usage_user/usage_sys (ns)"
                : "cpu user/system: cpuacct.stat (10 ms ticks)");
            lines.Add(mounts.ContainsKey("cpuset") ? "cpuset: available" : "cpuset: not mounted (cpuset limits will fail)");
            _ = probe.ReadUsage();
        }

        lines.Add("probe box: created, limited, removed");
        return lines;
    }

    private string Hint(string detail)
    {
        var parents = CgroupV1Mounts.Known.Where(mounts.ContainsKey).Select(c => mounts[c]).Distinct().ToList();
        if (parents.Count == 0)
        {
            parents = [.. Required.Select(c => Path.Combine(root, c))];
        }

        var dirs = parents.All(m => Path.GetDirectoryName(m) == Path.GetDirectoryName(parents[0]))
            ? $"{Path.GetDirectoryName(parents[0])}/{{{string.Join(',', parents.Select(Path.GetFileName))}}}/{parent}"
            : string.Join(' ', parents.Select(m => $"{m}/{parent}"));
        return $"{detail}. Runner needs a writable cgroup for memory limits; as root run: "
            + $"mkdir -p {dirs} && chown -R {Environment.UserName} {dirs}";
    }

    private static string ReadTrimmed(string path) => CgroupFile.ReadText(path).Trim();

    private static string Invariant(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
