using Runner.Sandbox.Native;

namespace Runner.Sandbox.Cgroups;

/// <summary>
/// The few operations whose kernel behaviour a plain directory tree cannot imitate (mkdir
/// populating control files, rmdir of a non-empty directory, signals). Virtual so that
/// tests can run the cgroup code against a fake tree in a temp directory. The real calls are
/// the imports in <see cref="Libc"/>.
/// </summary>
internal class CgroupSystemCalls
{
    public static readonly CgroupSystemCalls Default = new();

    private static bool s_noPidfd;

    /// <summary>mkdir(2); returns 0 or the errno.</summary>
    public virtual int MakeDirectory(string path) =>
        Libc.mkdir(path, 0b111_101_101) == 0 ? 0 : Libc.Errno;

    /// <summary>rmdir(2); returns 0 or the errno.</summary>
    public virtual int RemoveDirectory(string path) =>
        Libc.rmdir(path) == 0 ? 0 : Libc.Errno;

    /// <summary>
    /// SIGKILLs every process listed in <paramref name="procsFile"/>. A pid read from the file
    /// may be reused by an unrelated process before we signal it, so each pid is pinned with
    /// a pidfd first and only signalled if a second read still lists it: a pidfd never
    /// signals a successor, so whatever it names was in the cgroup. Returns how many were listed.
    /// </summary>
    public virtual int KillListedProcesses(string procsFile)
    {
        var pids = CgroupFile.ReadPids(procsFile);
        if (pids.Count == 0)
        {
            return 0;
        }

        if (s_noPidfd)
        {
            foreach (var pid in pids)
            {
                _ = Libc.kill(pid, Libc.SigKill);
            }

            return pids.Count;
        }

        var fds = new int[pids.Count];
        for (var i = 0; i < pids.Count; i++)
        {
            fds[i] = (int)Libc.syscall(Sys.PidfdOpen, pids[i], 0, 0, 0);
            if (fds[i] < 0 && Libc.Errno == Errno.ENOSYS)
            {
                s_noPidfd = true;
                CloseAll(fds);
                return KillListedProcesses(procsFile);
            }
        }

        try
        {
            var stillListed = new HashSet<int>(CgroupFile.ReadPids(procsFile));
            for (var i = 0; i < pids.Count; i++)
            {
                if (fds[i] >= 0 && stillListed.Contains(pids[i]))
                {
                    _ = Libc.syscall(Sys.PidfdSendSignal, fds[i], Libc.SigKill, 0, 0);
                }
            }
        }
        finally
        {
            CloseAll(fds);
        }

        return pids.Count;
    }

    private static void CloseAll(int[] fds)
    {
        for (var i = 0; i < fds.Length; i++)
        {
            if (fds[i] >= 0)
            {
                _ = Libc.close(fds[i]);
                fds[i] = -1;
            }
        }
    }
}
