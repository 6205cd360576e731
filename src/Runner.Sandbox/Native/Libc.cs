using System.Runtime.InteropServices;

namespace Runner.Sandbox.Native;

/// <summary>
/// Every libc import of the engine, for the parent side only (never called in the child), with
/// the constants they take, for x86-64. A test checks each constant against the C headers.
/// These are our own imports rather than Tmds.LibC's: Tmds.LibC 0.5.0 has none of openat2,
/// RESOLVE_*, pidfd_open, waitid(P_PIDFD), flock or close_range, on which the host-file safety
/// and the launch rely, and its constants could not be checked by that test.
/// </summary>
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

    [LibraryImport(C, SetLastError = true)]
    public static partial nint pread(int fd, void* buffer, nint count, long offset);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    /// <summary>open(2) on a path already encoded and NUL-terminated, so hot paths do not allocate.</summary>
    [LibraryImport(C, SetLastError = true)]
    public static partial int open(byte* path, int flags, int mode);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirfd, string path, int flags, int mode);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdir(string path, uint mode);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdirat(int dirfd, string path, int mode);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rmdir(string path);

    [LibraryImport(C, SetLastError = true)]
    public static partial int fchmod(int fd, int mode);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fchownat(int dirfd, string path, uint owner, uint group, int flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fstatat(int dirfd, string path, void* buffer, int flags);

    [LibraryImport(C, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int memfd_create(string name, uint flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(C, SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport(C, SetLastError = true)]
    public static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(C, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport(C, SetLastError = true)]
    public static partial nint sendmsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial nint recvmsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(C, SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport(C, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(C, SetLastError = true)]
    public static partial int connect(int fd, byte* address, int length);

    [LibraryImport(C, SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, void* value, int* length);

    [LibraryImport(C, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(C, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(C, SetLastError = true)]
    public static partial int waitid(int idtype, int id, void* infop, int options);

    [LibraryImport(C, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(C)]
    public static partial uint geteuid();

    [LibraryImport(C)]
    public static partial uint getegid();

    [LibraryImport(C, SetLastError = true)]
    public static partial int setpriority(int which, uint who, int priority);

    [LibraryImport(C)]
    public static partial nint strerror(int errnum);

    [LibraryImport(C)]
    private static partial int clock_gettime(int clock, long* timespec);

    /// <summary>CLOCK_MONOTONIC in ns: the clock runner_launch.c stamps a reaped program with.</summary>
    public static long MonotonicNanoseconds()
    {
        var timespec = stackalloc long[2];
        clock_gettime(1, timespec);
        return timespec[0] * 1_000_000_000 + timespec[1];
    }

    // glibc's syscall() is a register shuffle in assembly, so a fixed-arity prototype is safe.
    [LibraryImport(C, SetLastError = true)]
    public static partial long syscall(long number, long a0, long a1, long a2, long a3);

    [LibraryImport(C, SetLastError = true)]
    public static partial long syscall(long number, long a0, long a1, long a2, long a3, long a4);

    /// <summary>openat2(2) through syscall(2); glibc 2.36 has no wrapper.</summary>
    public static int openat2(int dirfd, string path, ulong flags, ulong resolve)
    {
        var how = stackalloc ulong[3] { flags, 0, resolve };
        var native = Marshal.StringToCoTaskMemUTF8(path);
        try { return (int)syscall(Sys.Openat2, dirfd, native, (long)how, 3 * sizeof(ulong)); }
        finally { Marshal.FreeCoTaskMem(native); }
    }

    // fcntl.h, sys/stat.h
    public const int ORdonly = 0, OWronly = 1, ORdwr = 2, OCreat = 0x40, OExcl = 0x80, ONoctty = 0x100;
    public const int OTrunc = 0x200, ONonblock = 0x800, ODirectory = 0x10000, ONofollow = 0x20000;
    public const int OCloexec = 0x80000, OPath = 0x200000;
    public const int AtFdcwd = -100, AtSymlinkNofollow = 0x100, AtEmptyPath = 0x1000, AtRemovedir = 0x200;
    public const int FGetfl = 3, FSetfl = 4, FDupfdCloexec = 1030;
    public const uint SIfmt = 0xF000, SIfreg = 0x8000, SIfchr = 0x2000, SIfdir = 0x4000, SIfsock = 0xC000;
    public const uint MfdCloexec = 1;

    // linux/openat2.h
    public const ulong ResolveNoMagiclinks = 0x02, ResolveNoSymlinks = 0x04, ResolveBeneath = 0x08;

    // sys/file.h, poll.h, signal.h, sys/wait.h
    public const int LockExclusive = 2, LockNonblocking = 4;
    public const short PollIn = 1;
    public const int SigKill = 9, SigXcpu = 24;
    public const int PPidfd = 3, WExited = 4, WNohang = 1;
    public const short PollHup = 0x10;

    // sys/mman.h, sys/socket.h
    public const int ProtRead = 1, ProtWrite = 2, MapShared = 1;
    public const int AfUnix = 1, SockStream = 1, SockSeqpacket = 5, SockCloexec = 0x80000, SolSocket = 1, ScmRights = 1, SoPeercred = 17;
    public const int ShutWr = 1, ShutRdwr = 2;
    public const int SunPathLength = 108;
    public const int MsgNosignal = 0x4000, MsgDontwait = 0x40, MsgCmsgCloexec = 0x40000000;

    // sys/resource.h, sched.h, linux/ioprio.h
    public const int PrioProcess = 0, SchedOther = 0, IoprioWhoProcess = 1, IoprioClassBe = 2, IoprioClassShift = 13;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr on x86-64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public int NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr on x86-64: length, level, type, then the data (8-byte aligned).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>errno of the last import above that sets it.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();
}
