using System.Runtime.InteropServices;

namespace Runner.Sandbox.Native;

/// <summary>
/// Syscall numbers and kernel constants for x86-64 that the plan builder and the parent use.
/// A test compares every value here with the C headers.
/// </summary>
internal static class Sys
{
    public const long Read = 0, Write = 1, Close = 3, Ioctl = 16, RtSigaction = 13, RtSigprocmask = 14;
    public const long Socket = 41, Execve = 59, Chdir = 80, Capset = 126, SetResUid = 117, SetResGid = 119;
    public const long SetGroups = 116, PivotRoot = 155, Prctl = 157, Mount = 165, Umount2 = 166;
    public const long SetHostname = 170, Unshare = 272, Openat = 257, Mkdirat = 258, Mknodat = 259;
    public const long Symlinkat = 266, Dup3 = 292, Prlimit64 = 302, Seccomp = 317, CloseRange = 436;
    public const long Poll = 7;
}

internal static class Flags
{
    // clone(2) / unshare(2)
    public const ulong CloneNewNs = 0x00020000, CloneNewCgroup = 0x02000000, CloneNewUts = 0x04000000;
    public const ulong CloneNewIpc = 0x08000000, CloneNewUser = 0x10000000, CloneNewPid = 0x20000000;
    public const ulong CloneNewNet = 0x40000000;

    // mount(2)
    public const long MsRdonly = 1, MsNosuid = 2, MsNodev = 4, MsNoexec = 8, MsRemount = 32;
    public const long MsBind = 4096, MsRec = 16384, MsPrivate = 1 << 18;
    public const long MntDetach = 2;

    // open(2), *at(2)
    public const long AtFdcwd = -100;
    public const long OWronly = 1, OCreat = 0x40, OExcl = 0x80, OCloexec = 0x80000;
    public const long SIfreg = 0x8000;

    // socket(2), netdevice(7)
    public const long AfInet = 2, SockDgram = 2, SockCloexec = 0x80000;
    public const long SiocSifflags = 0x8914;
    public const short IffUp = 0x1, IffRunning = 0x40;

    // prctl(2), capabilities(7)
    public const long PrSetNoNewPrivs = 38, PrCapbsetDrop = 24, PrCapAmbient = 47, PrCapAmbientClearAll = 4;
    public const long PrSetSecurebits = 28, PrSetDumpable = 4, PrSetPdeathsig = 1;
    public const int LinuxCapabilityVersion3 = 0x20080522;
    /// <summary>SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS_LOCKED and their locks.</summary>
    public const long SecureBitsLocked = 0x2f;

    // seccomp(2)
    public const long SeccompSetModeFilter = 1;

    // signals
    public const long SigSetMask = 2;

    // resources
    public const int RlimitCpu = 0, RlimitFsize = 1, RlimitStack = 3, RlimitCore = 4, RlimitNofile = 7;
    public const int RlimitMemlock = 8, RlimitSigpending = 11, RlimitMsgqueue = 12, RlimitNice = 13, RlimitRtprio = 14;
}

/// <summary>Thin libc imports for the parent side; never called in the child.</summary>
internal static unsafe partial class Libc
{
    private const string C = "libc";

    [LibraryImport(C, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(C, SetLastError = true)]
    public static partial nint read(int fd, void* buffer, nint count);

    [LibraryImport(C, SetLastError = true)]
    public static partial nint write(int fd, void* buffer, nint count);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport(C, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(C, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(C, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(C, SetLastError = true)]
    public static partial int waitid(int idtype, int id, void* infop, int options);

    [LibraryImport(C)]
    public static partial uint geteuid();

    [LibraryImport(C, SetLastError = true)]
    public static partial int setpriority(int which, uint who, int priority);

    [LibraryImport(C)]
    public static partial uint getegid();

    [LibraryImport(C, SetLastError = true)]
    public static partial long syscall(long number, long a0, long a1, long a2, long a3);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fchownat(int dirfd, string path, uint owner, uint group, int flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fstatat(int dirfd, string path, void* buffer, int flags);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirfd, string path, int flags, int mode);

    /// <summary>openat2(2) through syscall(2); glibc 2.36 has no wrapper.</summary>
    public static int openat2(int dirfd, string path, ulong flags, ulong resolve)
    {
        var how = stackalloc ulong[3] { flags, 0, resolve };
        var native = Marshal.StringToCoTaskMemUTF8(path);
        try { return (int)syscall(Openat2, dirfd, native, (long)how, 3 * sizeof(ulong)); }
        finally { Marshal.FreeCoTaskMem(native); }
    }

    public const int ONonblock = 0x800, OCloexec = 0x80000, ORdonly = 0, ORdwr = 2, OCreat = 0x40;
    public const int ODirectory = 0x10000, ONofollow = 0x20000;
    public const int LockExclusive = 2, LockNonblocking = 4;
    public const short PollIn = 1;
    public const int SigKill = 9;
    public const int PidfdSendSignal = 424, PidfdOpen = 434;
    public const int SchedSetscheduler = 144, IoprioSet = 251;
    public const int PrioProcess = 0, SchedOther = 0, IoprioWhoProcess = 1, IoprioClassBe = 2, IoprioClassShift = 13;
    public const int PPidfd = 3, WExited = 4;
    public const int AtSymlinkNofollow = 0x100, AtFdcwd = -100, AtEmptyPath = 0x1000;
    public const int Openat2 = 437, ONoctty = 0x100, OPath = 0x200000, FGetfl = 3, FSetfl = 4;
    public const ulong ResolveNoMagiclinks = 0x02, ResolveNoSymlinks = 0x04;
    public const uint SIfmt = 0xF000, SIfreg = 0x8000, SIfchr = 0x2000, SIfdir = 0x4000;
    public const int EINTR = 4, EAGAIN = 11;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public static int Errno => Marshal.GetLastPInvokeError();
}
