using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// Opens the host file given as a box's stdin. A judge may point it into a directory an
/// earlier box wrote (one step's output feeding the next), so the box may have shaped the
/// path: a planted symlink would make the root worker open any host file for the box (the
/// judge0 CVE-2024-28189 pattern), and a planted FIFO would block the worker's open forever.
/// Hence no symlink in any component (openat2 RESOLVE_NO_SYMLINKS), a non-blocking open, and
/// only a regular file or a character device (/dev/null) is accepted. Found by the security suite.
/// </summary>
internal static class StdinFile
{
    public static int Open(string path)
    {
        var fd = NoFollowOpen.Read(path);
        if (fd < 0)
        {
            var errno = -fd;
            var hint = errno == Errno.ELOOP ? " (a symlink in the path; stdin must be given by its real path)" : "";
            throw new IOException($"cannot open stdin '{path}': {ErrnoName.Describe(errno)}{hint}");
        }
        if (FileStatus.Of(fd) is not { } status || !(status.IsRegularFile || status.IsCharacterDevice))
        {
            Libc.close(fd);
            throw new IOException($"stdin '{path}' is not a regular file (a FIFO, socket or directory is refused)");
        }
        // The box shares this open file description: give it an ordinary blocking stdin.
        Libc.fcntl(fd, Libc.FSetfl, Libc.fcntl(fd, Libc.FGetfl, 0) & ~Libc.ONonblock);
        return fd;
    }
}
