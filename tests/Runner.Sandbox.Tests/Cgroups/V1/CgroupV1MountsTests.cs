using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Cgroups.V1;

namespace Runner.Sandbox.Tests.Cgroups.V1;

public sealed class CgroupV1MountsTests
{
    [Fact]
    public void Separate_and_comounted_v1_controllers_are_found_from_mountinfo_lines()
    {
        string[] lines =
        [
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:5 - cgroup cgroup rw,cpu,cpuacct",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "36 31 0:33 / /sys/fs/cgroup/my\\040pids rw,relatime - cgroup cgroup rw,pids",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "50 23 0:32 / /elsewhere/memory rw,relatime - cgroup cgroup rw,memory",
        ];

        var mounts = CgroupV1Mounts.ParseV1(lines, "/sys/fs/cgroup");

        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", mounts["cpu"]);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", mounts["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/memory", mounts["memory"]);
        Assert.Equal("/sys/fs/cgroup/my pids", mounts["pids"]);
        Assert.False(mounts.ContainsKey("cpuset"));
    }

    [Fact]
    public void Mounts_outside_the_cgroup_root_are_ignored()
    {
        string[] lines = ["50 23 0:32 / /elsewhere/memory rw,relatime - cgroup cgroup rw,memory"];
        Assert.Empty(CgroupV1Mounts.ParseV1(lines, "/sys/fs/cgroup"));
        Assert.Equal("/elsewhere/memory", CgroupV1Mounts.ParseV1(lines, "/elsewhere")["memory"]);
    }

    [Fact]
    public void Detect_picks_v1_from_a_fake_mountinfo_when_the_root_has_no_cgroup_controllers()
    {
        var root = Directory.CreateTempSubdirectory("fake-cgroup-v1-").FullName;
        try
        {
            var mountinfo = Path.Combine(root, "mountinfo");
            File.WriteAllText(mountinfo, $"35 31 0:32 / {root}/mem rw,relatime - cgroup cgroup rw,memory\n");
            var v1 = Assert.IsType<CgroupV1Hierarchy>(CgroupHierarchy.Detect(root, "runner", mountinfo, CgroupSystemCalls.Default));
            Assert.Equal(1, v1.Version);
            Assert.Equal($"{root}/mem", v1.Mounts["memory"]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
