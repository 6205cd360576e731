using System.Runtime.InteropServices;

namespace Runner.Sandbox.Cgroups;

/// <summary>
/// The few operations whose kernel behaviour a plain directory tree cannot imitate (mkdir
/// populating control files, rmdir of a non-empty directory, signals). Virtual so that
/// tests can run the cgroup code against a fake tree in a temp directory.
/// </summary>
internal partial class CgroupSystemCalls
{
    public static readonly CgroupSystemCalls Default = new();

    private const int SIGKILL = 9;
    private const int ENOSYS = 38;
    private const long SYS_pidfd_send_signal = 424;
    private const long SYS_pidfd_open = 434;
    private static bool s_noPidfd;

    /// <summary>mkdir(2); returns 0 or the errno.</summary>
    public virtual int MakeDirectory(string path) =>
        mkdir(path, 0b111_101_101) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>rmdir(2); returns 0 or the errno.</summary>
    public virtual int RemoveDirectory(string path) =>
        rmdir(path) == 0 ? 0 : Marshal.GetLastPInvokeError();

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
                _ = kill(pid, SIGKILL);
            }

            return pids.Count;
        }

        var fds = new int[pids.Count];
        for (var i = 0; i < pids.Count; i++)
        {
            fds[i] = (int)syscall(SYS_pidfd_open, pids[i], 0);
            if (fds[i] < 0 && Marshal.GetLastPInvokeError() == ENOSYS)
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
                    _ = syscall(SYS_pidfd_send_signal, fds[i], SIGKILL, 0, 0);
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
                _ = close(fds[i]);
                fds[i] = -1;
            }
        }
    }

    internal static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int mkdir(string path, uint mode);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int rmdir(string path);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    // glibc's syscall() is a register shuffle in assembly, so a fixed-arity prototype is safe.
    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a, long b);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a, long b, long c, long d);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int close(int fd);
}
