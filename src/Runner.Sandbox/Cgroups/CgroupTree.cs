using System.Diagnostics;

namespace Runner.Sandbox.Cgroups;

/// <summary>Directory operations shared by both versions: create, empty, remove.</summary>
internal static class CgroupTree
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EROFS = 30;

    /// <summary>How long killed processes get to leave the cgroup (exit and be reaped).</summary>
    public static readonly TimeSpan EmptyTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Creates <paramref name="path"/> if missing; fails closed with <paramref name="hint"/>.</summary>
    public static bool EnsureDirectory(CgroupSystemCalls sys, string path, Func<string, string> hint)
    {
        var errno = sys.MakeDirectory(path);
        return errno switch
        {
            0 => true,
            EEXIST when Directory.Exists(path) => false,
            _ => throw new CgroupUnavailableException(hint($"cannot create {path}: {CgroupSystemCalls.Describe(errno)}")),
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
    /// Removes the cgroup at <paramref name="path"/> and any child cgroups below it, killing
    /// their processes first. A just-emptied cgroup can briefly refuse rmdir with EBUSY.
    /// </summary>
    public static void Remove(CgroupSystemCalls sys, string path)
    {
        if (!Directory.Exists(path))
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
            if (errno is 0 or ENOENT)
            {
                return;
            }

            if (errno != EBUSY || clock.Elapsed > EmptyTimeout)
            {
                throw new IOException($"cannot remove {path}: {CgroupSystemCalls.Describe(errno)}");
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>Fail closed on a control file we must write; the hint says how to fix access.</summary>
    public static void WriteOrFail(string path, string value, Func<string, string> hint)
    {
        var errno = CgroupFile.TryWrite(path, value);
        if (errno is EACCES or EPERM or EROFS)
        {
            throw new CgroupUnavailableException(hint($"cannot write '{value}' to {path}: {CgroupSystemCalls.Describe(errno)}"));
        }

        if (errno != 0)
        {
            throw new CgroupUnavailableException($"cannot write '{value}' to {path}: {CgroupSystemCalls.Describe(errno)}");
        }
    }
}
