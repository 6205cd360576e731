using System.Diagnostics;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Cgroups;

/// <summary>Directory operations shared by both versions: create, empty, remove.</summary>
internal static class CgroupTree
{
    /// <summary>How long killed processes get to leave the cgroup (exit and be reaped).</summary>
    public static readonly TimeSpan EmptyTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Creates <paramref name="path"/> if missing; fails closed with <paramref name="hint"/>.</summary>
    public static bool EnsureDirectory(CgroupSystemCalls sys, string path, Func<string, string> hint)
    {
        var errno = sys.MakeDirectory(path);
        return errno switch
        {
            0 => true,
            Errno.EEXIST when Directory.Exists(path) => false,
            _ => throw new CgroupUnavailableException(hint($"cannot create {path}: {ErrnoName.Describe(errno)}")),
        };
    }

    /// <summary>
    /// SIGKILLs whatever the procs files list until they are all empty. Processes keep being
    /// listed until they are reaped (their pid namespace's init may still be tearing down), so
    /// this polls with a bound instead of trusting one pass. Returns false on timeout.
    /// </summary>
    public static bool KillUntilEmpty(CgroupSystemCalls sys, IEnumerable<string> procsFiles, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        var delay = 1;
        while (true)
        {
            var listed = 0;
            foreach (var file in procsFiles)
            {
                listed += sys.KillListedProcesses(file);
            }

            if (listed == 0)
            {
                return true;
            }

            if (clock.Elapsed > bound)
            {
                return false;
            }

            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 20);
        }
    }

    /// <summary>
    /// False when <paramref name="dir"/> is surely a directory without subdirectories: its link
    /// count is 2 (2 plus its subdirectories on cgroupfs and the usual filesystems). Found with
    /// one stat rather than a listing of every control file in it; anything else (missing, a
    /// symlink, btrfs's count of 1, subdirectories) says true, and the caller lists.
    /// </summary>
    public static bool MayHaveSubdirectories(string dir) =>
        FileStatus.OfPathNoFollow(dir) is not { IsDirectory: true, LinkCount: 2 };

    /// <summary>
    /// Adds the slot boxes (box-N) in <paramref name="parentDir"/> that <paramref name="found"/>
    /// lacks (one name may be in several v1 mounts); a parent without subdirectories costs one stat.
    /// </summary>
    /// <remarks>
    /// Plain loops: every `runner run` starts with this (the orphan sweep), and in the NativeAOT
    /// CLI a LINQ chain's first use resolves its generic virtual methods at run time (0.1 ms, perf).
    /// </remarks>
    public static void AddBoxesIn(string parentDir, List<string> found)
    {
        if (!MayHaveSubdirectories(parentDir) || !Directory.Exists(parentDir)) return;
        foreach (var child in Directory.EnumerateDirectories(parentDir))
        {
            var name = Path.GetFileName(child);
            if (CgroupNames.IsBox(name) && !found.Contains(name)) found.Add(name);
        }
    }

    /// <summary>
    /// Removes the cgroup at <paramref name="path"/> and any child cgroups below it, killing
    /// their processes first. A just-emptied cgroup can briefly refuse rmdir with EBUSY.
    /// </summary>
    public static void Remove(CgroupSystemCalls sys, string path)
    {
        // The usual case, a box whose processes are all gone: one rmdir, without listing the
        // directory's control files (30 in a v1 memory cgroup) and reading its procs first.
        if (sys.RemoveDirectory(path) is 0 or Errno.ENOENT)
        {
            return;
        }

        foreach (var child in Directory.GetDirectories(path))
        {
            Remove(sys, child);
        }

        var procs = Path.Combine(path, "cgroup.procs");
        if (!KillUntilEmpty(sys, [procs], EmptyTimeout))
        {
            throw new IOException($"cannot empty {path}: processes {string.Join(' ', CgroupFile.ReadPids(procs))} survive SIGKILL");
        }

        RemoveEmpty(sys, path);
    }

    public static void RemoveEmpty(CgroupSystemCalls sys, string path)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var errno = sys.RemoveDirectory(path);
            if (errno is 0 or Errno.ENOENT)
            {
                return;
            }

            if (errno != Errno.EBUSY || clock.Elapsed > EmptyTimeout)
            {
                throw new IOException($"cannot remove {path}: {ErrnoName.Describe(errno)}");
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// cpuset.cpus is the caller's choice: the kernel refuses a list it cannot parse or CPUs the
    /// parent does not have (EINVAL, ERANGE), and that is a bad option, not a host fault.
    /// </summary>
    public static void WriteCpus(string path, string cpus, string allowedFile, Func<string, string> hint)
    {
        var errno = CgroupFile.TryWrite(path, cpus);
        if (errno is Errno.EINVAL or Errno.ERANGE)
        {
            var allowed = File.Exists(allowedFile) ? CgroupFile.ReadText(allowedFile).Trim() : "?";
            throw new SandboxSpecException("cpuset", $"expected CPUs that boxes on this host may use ({allowed}), got '{cpus}'");
        }

        if (errno != 0)
        {
            WriteOrFail(path, cpus, hint);
        }
    }

    /// <summary>Fail closed on a control file we must write; the hint says how to fix access.</summary>
    public static void WriteOrFail(string path, string value, Func<string, string> hint)
    {
        var errno = CgroupFile.TryWrite(path, value);
        if (errno is Errno.EACCES or Errno.EPERM or Errno.EROFS)
        {
            throw new CgroupUnavailableException(hint($"cannot write '{value}' to {path}: {ErrnoName.Describe(errno)}"));
        }

        if (errno != 0)
        {
            throw new CgroupUnavailableException($"cannot write '{value}' to {path}: {ErrnoName.Describe(errno)}");
        }
    }
}
