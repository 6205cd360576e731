using Runner.Sandbox.Cgroups.V1;
using Runner.Sandbox.Cgroups.V2;

namespace Runner.Sandbox.Cgroups;

/// <summary>Detects which cgroup version this host runs, once, at startup.</summary>
public static class CgroupHierarchy
{
    /// <summary>
    /// Cgroup v2 when <paramref name="cgroupRoot"/> is a unified hierarchy (it has
    /// <c>cgroup.controllers</c>); otherwise v1, with controller mounts read from
    /// /proc/self/mountinfo. Does not throw for a missing or unusable hierarchy:
    /// <see cref="ICgroupHierarchy.CreateBox"/> and <see cref="ICgroupHierarchy.Check"/> do.
    /// </summary>
    public static ICgroupHierarchy Detect(string cgroupRoot = "/sys/fs/cgroup", string parent = "runner") =>
        Detect(cgroupRoot, parent, "/proc/self/mountinfo", CgroupSystemCalls.Default);

    internal static ICgroupHierarchy Detect(string cgroupRoot, string parent, string mountInfoPath, CgroupSystemCalls sys)
    {
        CgroupNames.ValidateParent(parent);
        if (File.Exists(Path.Combine(cgroupRoot, "cgroup.controllers")))
        {
            return new CgroupV2Hierarchy(cgroupRoot, parent, sys);
        }

        var lines = File.Exists(mountInfoPath) ? File.ReadAllLines(mountInfoPath) : [];
        return new CgroupV1Hierarchy(cgroupRoot, CgroupV1Mounts.ParseV1(lines, cgroupRoot), parent, sys);
    }
}
