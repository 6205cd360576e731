using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// Host paths the caller hands in (WorkDir, bind sources) may lie in a tree an earlier box
/// wrote, such as one step's output dir bound into the next step. A symlink planted there would
/// make the engine bind, chown or expose whatever host path it names (the judge0 / go-judge
/// #176 pattern). So such paths must be given by their real path: no symlink in any component.
/// Found by the security suite.
/// </summary>
internal static class CallerPath
{
    public static void RequireNoSymlinks(string path, string what)
    {
        var fd = Libc.openat2(Libc.AtFdcwd, path, (ulong)(Libc.OPath | Libc.OCloexec), Libc.ResolveNoSymlinks | Libc.ResolveNoMagiclinks);
        if (fd >= 0)
        {
            Libc.close(fd);
            return;
        }
        var errno = Libc.Errno;
        var hint = errno == Errno.ELOOP ? " (a symlink in the path; give its real path)" : "";
        throw new IOException($"{what} '{path}': {ErrnoName.Describe(errno)}{hint}");
    }
}
