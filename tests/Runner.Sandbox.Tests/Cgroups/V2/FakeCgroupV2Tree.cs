using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Tests.Cgroups.V2;

/// <summary>
/// A FAKE cgroup v2 tree in a temp directory: plain files standing in for control files.
/// Its kernel stand-in populates new directories the way cgroupfs does, refuses rmdir of a
/// cgroup with children, and "kills" processes by emptying cgroup.procs.
/// </summary>
public sealed class FakeCgroupV2Tree : IDisposable
{
    public FakeCgroupV2Tree()
    {
        Root = Directory.CreateTempSubdirectory("fake-cgroup-v2-").FullName;
        Kernel = new FakeKernel(this);
        Populate(Root);
        File.WriteAllText(Path.Combine(Root, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
    }

    public string Root { get; }

    internal FakeKernel Kernel { get; }

    /// <summary>Control files that new cgroups do not get, as on an older kernel.</summary>
    public HashSet<string> Absent { get; } = [];

    /// <summary>errno that mkdir returns, or 0.</summary>
    public int MkdirErrno { get; set; }

    /// <summary>Pids killed, with the cgroup.freeze value seen when each was killed.</summary>
    public List<(int Pid, string Freeze)> Killed { get; } = [];

    internal ICgroupHierarchy Detect(string parent = "runner") =>
        CgroupHierarchy.Detect(Root, parent, Path.Combine(Root, "no-mountinfo"), Kernel);

    public string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative)).Trim();

    public void Write(string relative, string text) => File.WriteAllText(Path.Combine(Root, relative), text);

    private void Populate(string dir)
    {
        var files = new Dictionary<string, string>
        {
            ["cgroup.controllers"] = "cpuset cpu memory pids\n",
            ["cgroup.subtree_control"] = "",
            ["cgroup.procs"] = "",
            ["cgroup.events"] = "populated 0\nfrozen 0\n",
            ["cgroup.freeze"] = "0\n",
            ["cgroup.kill"] = "",
            ["memory.max"] = "max\n",
            ["memory.swap.max"] = "max\n",
            ["memory.peak"] = "0\n",
            ["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
            ["cpu.max"] = "max 100000\n",
            ["cpu.stat"] = "usage_usec 0\nuser_usec 0\nsystem_usec 0\n",
            ["pids.max"] = "max\n",
            ["pids.peak"] = "0\n",
            ["cpuset.cpus"] = "\n",
        };
        foreach (var (name, content) in files)
        {
            if (!Absent.Contains(name))
            {
                File.WriteAllText(Path.Combine(dir, name), content);
            }
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    internal sealed class FakeKernel(FakeCgroupV2Tree tree) : CgroupSystemCalls
    {
        public override int MakeDirectory(string path)
        {
            if (tree.MkdirErrno != 0)
            {
                return tree.MkdirErrno;
            }

            if (Directory.Exists(path))
            {
                return Errno.EEXIST;
            }

            if (!Directory.Exists(Path.GetDirectoryName(path)))
            {
                return Errno.ENOENT;
            }

            Directory.CreateDirectory(path);
            tree.Populate(path);
            return 0;
        }

        public override int RemoveDirectory(string path)
        {
            if (!Directory.Exists(path))
            {
                return Errno.ENOENT;
            }

            if (Directory.GetDirectories(path).Length > 0 || CgroupFile.ReadPids(Path.Combine(path, "cgroup.procs")).Count > 0)
            {
                return Errno.EBUSY;
            }

            Directory.Delete(path, recursive: true);
            return 0;
        }

        public override int KillListedProcesses(string procsFile)
        {
            var pids = CgroupFile.ReadPids(procsFile);
            var freezeFile = Path.Combine(Path.GetDirectoryName(procsFile)!, "cgroup.freeze");
            var freeze = File.Exists(freezeFile) ? File.ReadAllText(freezeFile).Trim() : "absent";
            foreach (var pid in pids)
            {
                tree.Killed.Add((pid, freeze));
            }

            File.WriteAllText(procsFile, "");
            return pids.Count;
        }
    }
}
