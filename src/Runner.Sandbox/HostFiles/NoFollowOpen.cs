using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// Opens paths that a box may have shaped (its work dir, files it left behind) without
/// following anything it planted: openat2 with RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
/// non-blocking so a planted FIFO cannot hang the caller, and close-on-exec. Check what was
/// opened with <see cref="FileStatus.Of"/>, on the fd, so nothing can be swapped in between.
/// </summary>
public static class NoFollowOpen
{
    /// <summary>
    /// Opens <paramref name="relativePath"/> for reading beneath the directory <paramref name="dirFd"/>
    /// (RESOLVE_BENEATH: no "..", no absolute path). Returns the fd, or -errno.
    /// </summary>
    public static int ReadBeneath(int dirFd, string relativePath) =>
        Open(dirFd, relativePath, Libc.ResolveNoSymlinks | Libc.ResolveNoMagiclinks | Libc.ResolveBeneath);

    /// <summary>Opens a host path for reading with no symlink in any component. Returns the fd, or -errno.</summary>
    public static int Read(string path) =>
        Open(Libc.AtFdcwd, path, Libc.ResolveNoSymlinks | Libc.ResolveNoMagiclinks);

    private static int Open(int dirFd, string path, ulong resolve)
    {
        var fd = Libc.openat2(dirFd, path, (ulong)(Libc.ORdonly | Libc.OCloexec | Libc.ONonblock | Libc.ONoctty), resolve);
        return fd >= 0 ? fd : -Libc.Errno;
    }
}
