using System.Runtime.InteropServices;
using Runner.Sandbox;

namespace Runner.Sandbox.HostFiles;

/// <summary>The few libc calls the host needs to touch box directories without following links.</summary>
internal static partial class NoFollowCalls
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirfd, string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdirat(int dirfd, string path, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fchmod(int fd, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    public const int ORdonly = 0, OWronly = 1, OCreat = 0x40, OExcl = 0x80, ONonblock = 0x800;
    public const int ODirectory = 0x10000, ONofollow = 0x20000, OCloexec = 0x80000;
    public const int AtFdcwd = -100;
    public const int EEXIST = 17;

    public const uint SIfmt = 0xF000, SIfreg = 0x8000, SIfdir = 0x4000;

    public static int Errno => Marshal.GetLastPInvokeError();

    public static (uint Mode, long Size) Stat(int fd) =>
        FileStatus.Of(fd) is { } status ? (status.Mode, status.Size) : throw BoxFileException.FromErrno("fstat", "(open file)");
}
