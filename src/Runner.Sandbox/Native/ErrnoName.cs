using System.Runtime.InteropServices;

namespace Runner.Sandbox.Native;

/// <summary>
/// errno as "ENOENT (No such file or directory)", the way the kernel's users read it: the one
/// formatter for every errno the engine, the judge and the API report.
/// </summary>
internal static class ErrnoName
{
    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "EPERM",
        [2] = "ENOENT",
        [3] = "ESRCH",
        [4] = "EINTR",
        [5] = "EIO",
        [7] = "E2BIG",
        [8] = "ENOEXEC",
        [9] = "EBADF",
        [11] = "EAGAIN",
        [12] = "ENOMEM",
        [13] = "EACCES",
        [14] = "EFAULT",
        [16] = "EBUSY",
        [17] = "EEXIST",
        [18] = "EXDEV",
        [20] = "ENOTDIR",
        [21] = "EISDIR",
        [22] = "EINVAL",
        [24] = "EMFILE",
        [28] = "ENOSPC",
        [30] = "EROFS",
        [34] = "ERANGE",
        [36] = "ENAMETOOLONG",
        [38] = "ENOSYS",
        [40] = "ELOOP",
        [95] = "EOPNOTSUPP",
    };

    public static string Describe(int errno)
    {
        var name = Names.TryGetValue(errno, out var n) ? n : $"errno {errno}";
        var text = Marshal.PtrToStringUTF8(Libc.strerror(errno));
        return $"{name} ({text})";
    }
}
