using System.Runtime.InteropServices;

namespace Runner.Judge.HostFiles;

/// <summary>The few libc calls the host needs to touch box directories without following links.</summary>
internal static unsafe partial class NoFollowCalls
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirfd, string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdirat(int dirfd, string path, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fstat(int fd, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fchmod(int fd, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    public const int ORdonly = 0, OWronly = 1, OCreat = 0x40, OExcl = 0x80, ONonblock = 0x800;
    public const int ODirectory = 0x10000, ONofollow = 0x20000, OCloexec = 0x80000;
    public const int AtFdcwd = -100;
    public const int EEXIST = 17;

    /// <summary>struct stat on x86-64 is 144 bytes: st_mode (u32) at 24, st_size (i64) at 48.</summary>
    public const int StatSize = 144;

    public const uint SIfmt = 0xF000, SIfreg = 0x8000, SIfdir = 0x4000;

    public static int Errno => Marshal.GetLastPInvokeError();

    public static (uint Mode, long Size) Stat(int fd)
    {
        var buffer = stackalloc byte[StatSize];
        if (fstat(fd, buffer) < 0) throw BoxFileException.FromErrno("fstat", "(open file)");
        return (*(uint*)(buffer + 24), *(long*)(buffer + 48));
    }
}
