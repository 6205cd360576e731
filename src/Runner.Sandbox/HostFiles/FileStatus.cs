using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// The parts of struct stat the host needs when it handles box-written files: type and
/// permission bits, owner, size. The one place that knows the x86-64 layout
/// (KernelConstantsTests checks the offsets against the C headers).
/// </summary>
public readonly record struct FileStatus(uint Mode, uint Uid, uint Gid, long Size)
{
    internal const int StatSize = 144, DeviceOffset = 0, InodeOffset = 8, LinkCountOffset = 16, ModeOffset = 24, UidOffset = 28, GidOffset = 32, SizeOffset = 48;

    /// <summary>st_dev: which filesystem the entry is on (a different one below a directory is a mount point).</summary>
    public ulong Device { get; init; }

    /// <summary>st_ino: with <see cref="Device"/>, which file this is.</summary>
    public ulong Inode { get; init; }

    /// <summary>st_nlink: for a directory, 2 plus its subdirectories on most filesystems (cgroupfs included).</summary>
    public ulong LinkCount { get; init; }

    public bool IsRegularFile => (Mode & Libc.SIfmt) == Libc.SIfreg;
    public bool IsDirectory => (Mode & Libc.SIfmt) == Libc.SIfdir;
    public bool IsCharacterDevice => (Mode & Libc.SIfmt) == Libc.SIfchr;
    public bool IsSocket => (Mode & Libc.SIfmt) == Libc.SIfsock;

    /// <summary>fstat of an open file; null with errno set on failure.</summary>
    public static FileStatus? Of(int fd) => At(fd, "", Libc.AtEmptyPath);

    /// <summary>lstat of <paramref name="path"/> relative to <paramref name="dirFd"/>: a symlink is reported as itself, never followed.</summary>
    public static FileStatus? AtNoFollow(int dirFd, string path) => At(dirFd, path, Libc.AtSymlinkNofollow);

    /// <summary>lstat of an absolute or cwd-relative path.</summary>
    public static FileStatus? OfPathNoFollow(string path) => AtNoFollow(Libc.AtFdcwd, path);

    private static unsafe FileStatus? At(int dirFd, string path, int flags)
    {
        var buffer = stackalloc byte[StatSize];
        if (Libc.fstatat(dirFd, path, buffer, flags) < 0) return null;
        return new FileStatus(*(uint*)(buffer + ModeOffset), *(uint*)(buffer + UidOffset), *(uint*)(buffer + GidOffset),
            *(long*)(buffer + SizeOffset))
        { Device = *(ulong*)(buffer + DeviceOffset), Inode = *(ulong*)(buffer + InodeOffset), LinkCount = *(ulong*)(buffer + LinkCountOffset) };
    }
}
