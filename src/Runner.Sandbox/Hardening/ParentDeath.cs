using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Hardening;

/// <summary>
/// A box dies with the thread that launched it (PR_SET_PDEATHSIG on the box's init; SIGKILL of
/// a namespace's init kills everything in it). Its supervisor enforces the wall limit, so a box
/// whose supervisor was SIGKILLed would otherwise run on unwatched. The launching thread is the
/// one that supervises until the box is reaped, so it lives exactly as long as it is needed.
/// </summary>
internal static unsafe class ParentDeath
{
    private static readonly Lazy<int> LauncherPidfd = new(() =>
    {
        var fd = (int)Libc.syscall(Sys.PidfdOpen, Environment.ProcessId, 0, 0, 0);
        if (fd < 0) throw new IOException($"pidfd_open of this process failed: {ErrnoName.Describe(Libc.Errno)}");
        return fd;
    });

    /// <summary>A pidfd of this process (CLOEXEC), inherited by every box's init until it has checked it.</summary>
    public static int Pidfd => LauncherPidfd.Value;

    /// <summary>First op: armed before the child waits for the go byte.</summary>
    public static void AddFirstChildStep(SyscallPlan plan) =>
        plan.Add(LaunchStep.Credentials, "prctl(PR_SET_PDEATHSIG, SIGKILL)", Sys.Prctl, Flags.PrSetPdeathsig, Libc.SigKill, 0, 0, 0);

    /// <summary>
    /// After the credential changes, which clear the parent-death signal: arm it again, then
    /// make sure the launcher did not die before that (getppid is 0 for a namespace's init, so
    /// poll a pidfd of the launcher instead: readable once it has exited), then close the pidfd.
    /// </summary>
    public static void AddChildSteps(SyscallPlan plan, int launcherPidfd)
    {
        AddFirstChildStep(plan);
        // struct pollfd { int fd; short events; short revents; }
        var pollFd = (int*)plan.Arena.Allocate(8);
        pollFd[0] = launcherPidfd;
        ((short*)pollFd)[2] = Libc.PollIn;
        plan.Add(LaunchStep.Credentials, "check that the launcher is still alive", Sys.Poll, (long)pollFd, 1, 0,
            flags: NativeLaunch.CheckEqual, expect: 0);
        plan.Add(LaunchStep.Credentials, "close the launcher's pidfd", Sys.Close, launcherPidfd);
    }
}
