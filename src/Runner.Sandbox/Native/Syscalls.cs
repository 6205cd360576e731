namespace Runner.Sandbox.Native;

/// <summary>
/// Syscall numbers for x86-64, used by the plan builder and the parent.
/// A test compares every value here with the C headers.
/// </summary>
internal static class Sys
{
    public const long Read = 0, Write = 1, Close = 3, Ioctl = 16, RtSigaction = 13, RtSigprocmask = 14;
    public const long Socket = 41, Execve = 59, Chdir = 80, Capset = 126, SetResUid = 117, SetResGid = 119;
    public const long SetGroups = 116, PivotRoot = 155, Prctl = 157, Mount = 165, Umount2 = 166;
    public const long SetHostname = 170, Unshare = 272, Openat = 257, Mkdirat = 258, Mknodat = 259;
    public const long Symlinkat = 266, Dup3 = 292, Prlimit64 = 302, Seccomp = 317, CloseRange = 436;
    public const long Poll = 7, ClockGettime = 228;
    // A work dir handed to a box prepared ahead, as a detached mount (HostTree).
    public const long OpenTree = 428, MoveMount = 429, MountSetattr = 442;

    // Called through syscall(2) by the parent: glibc 2.36 wraps none of them.
    public const long PidfdSendSignal = 424, PidfdOpen = 434, Openat2 = 437;
    public const long SchedSetscheduler = 144, IoprioSet = 251;
    // Removing box-written trees by fd with raw names (TreeRemoval).
    public const long Lseek = 8, Getdents64 = 217, Unlinkat = 263, Fchmodat = 268;
}
