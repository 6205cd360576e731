namespace Runner.Sandbox;

/// <summary>
/// Host settings through which a box can make the kernel do work outside it, which the engine
/// cannot switch off itself (see docs/security.md, "Host-dependent risks"). Each is a warning
/// for <c>runner check</c>, not a failure: boxes still run, but the host should be changed.
/// </summary>
public static class HostRisks
{
    public static IReadOnlyList<HostCheckItem> Check(string procSys = "/proc/sys")
    {
        return [CorePattern(procSys), ModuleAutoload(procSys), HugePages(procSys)];
    }

    private static HostCheckItem CorePattern(string procSys)
    {
        const string name = "core dumps";
        var pattern = Read(procSys, "kernel/core_pattern");
        if (pattern is null) return new(name, true, "kernel/core_pattern unreadable; check it by hand");
        return pattern.StartsWith('|')
            ? new(name, true, $"warning: core_pattern pipes to '{pattern}', which the kernel runs as root outside the box for every crash, "
                + "ignoring RLIMIT_CORE 0; use a file pattern (sysctl -w kernel.core_pattern=core) or systemd-coredump with Storage=none and ProcessSizeMax=0")
            : new(name, true, $"core_pattern '{pattern}' is a file name; with RLIMIT_CORE 0 a box writes no dump");
    }

    private static HostCheckItem ModuleAutoload(string procSys)
    {
        const string name = "module autoload";
        var modprobe = Read(procSys, "kernel/modprobe");
        if (modprobe is null) return new(name, true, "this kernel has no module support: nothing to autoload");
        var disabled = Read(procSys, "kernel/modules_disabled") == "1";
        return disabled || modprobe is "" or "/bin/false" or "/usr/bin/false" or "/sbin/nologin"
            ? new(name, true, disabled ? "modules_disabled = 1" : $"kernel.modprobe = '{modprobe}': no helper runs")
            : new(name, true, $"warning: kernel.modprobe = '{modprobe}': a box can make the kernel run it as root outside the box "
                + "(execve of an unknown binary format asks for binfmt-XXXX); set kernel.modprobe=/bin/false or kernel.modules_disabled=1 on worker hosts");
    }

    private static HostCheckItem HugePages(string procSys)
    {
        const string name = "hugepages";
        var pool = Read(procSys, "vm/nr_hugepages");
        var overcommit = Read(procSys, "vm/nr_overcommit_hugepages");
        if (pool is null) return new(name, true, "no hugetlb support in this kernel");
        return pool == "0" && overcommit is null or "0"
            ? new(name, true, "no hugepage pool: MAP_HUGETLB in a box finds nothing to take")
            : new(name, true, $"warning: a hugepage pool (nr_hugepages {pool}, overcommit {overcommit}) that boxes can take uncharged "
                + "(no hugetlb cgroup limit); keep pools off worker hosts");
    }

    private static string? Read(string procSys, string relative)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procSys, relative)).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
