using System.Runtime.InteropServices;

namespace Runner.Sandbox.Native;

/// <summary>
/// The managed view of Native/runner_launch.c. The layouts here must match the C structs;
/// <see cref="runner_abi_size"/> lets a test prove they do.
/// </summary>
internal static unsafe partial class NativeLaunch
{
    private const string Library = "librunnerlaunch";

    public const long CheckNonNegative = 0;
    public const long CheckEqual = 1;
    public const long CheckNone = 2;
    public const long StoreResult = 4;
    public const long Arg0FromRegister = 8;
    public const long OpFork = -1;
    public const long OpReceive = -2;
    public const int MaxFds = 8;

    [StructLayout(LayoutKind.Sequential)]
    public struct RunnerOp
    {
        public long Nr;
        public long A0, A1, A2, A3, A4, A5;
        public long Expect;
        public long Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RunnerPlan
    {
        public RunnerOp* Ops;
        public long OpCount;
        public int ErrorFd;
        public int StatusFd;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RunnerError
    {
        public int OpIndex;
        public int Error;
    }

    /// <summary>struct rusage on x86-64: two timevals then 14 longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Rusage
    {
        public long UserSeconds, UserMicroseconds;
        public long SystemSeconds, SystemMicroseconds;
        public long MaxRssKilobytes;
        public long IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OutBlock, MsgSnd, MsgRcv, NSignals, NVcsw, NIvcsw;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RunnerExit
    {
        public int WaitStatus;
        /// <summary>1 when no other process was left in the box once the program was reaped.</summary>
        public int Alone;
        public Rusage Usage;
        /// <summary>CLOCK_MONOTONIC, in ns, when pid 1 reaped the program.</summary>
        public long ReapedNanoseconds;
        /// <summary>The init's own CPU clock, in ns, right before it reported (0: unread).</summary>
        public long InitCpuNanoseconds;
        /// <summary>
        /// CLOCK_MONOTONIC, in ns, when the init resumed from its fork: the program's execve had
        /// passed the point of no return, or its process had died (0: unread).
        /// </summary>
        public long ExecNanoseconds;
    }

    /// <summary>A box's socket message: the plan to run next and where its fds go.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RunnerHandoff
    {
        public RunnerPlan* Plan;
        public int FdCount;
        public fixed int Targets[MaxFds];
        public int Reserved;
    }

    /// <summary>A request to runner-launcher (Native/runner_launcher.c).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RunnerCloneRequest
    {
        public RunnerPlan* Plan;
        public ulong NamespaceFlags;
        public long OwnerUid;
        public int CgroupIndex;
        public int FdCount;
        public fixed int Targets[MaxFds];
    }

    [LibraryImport(Library)]
    public static partial long runner_clone(RunnerPlan* plan, ulong namespaceFlags, int cgroupFd, long ownerUid,
        int* fds, int* targets, int fdCount, int* pidfd);

    [LibraryImport(Library)]
    public static partial long runner_start_launcher(byte* path, byte** argv, int controlFd, int memoryFd);

    [LibraryImport(Library)]
    public static partial int runner_abi_size(int which);
}
