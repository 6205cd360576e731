using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Runner.Security.Tests.Containment;

/// <summary>What lstat(2) says about a host path, plus a content hash for regular files.</summary>
internal sealed record HostFile(string Path, uint Uid, uint Gid, uint Mode, long Size, long MtimeNs, ulong Links, string Hash)
{
    private const int AtFdcwd = -100, AtSymlinkNofollow = 0x100;

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int fstatat(int dirfd, string path, byte* buf, int flags);

    /// <summary>lstat; null when the path does not exist.</summary>
    public static unsafe HostFile? Lstat(string path)
    {
        var buf = stackalloc byte[256];
        if (fstatat(AtFdcwd, path, buf, AtSymlinkNofollow) < 0) return null;
        // struct stat on x86-64: nlink@16, mode@24, uid@28, gid@32, size@48, mtim@88.
        var mode = *(uint*)(buf + 24);
        var mtime = *(long*)(buf + 88) * 1_000_000_000 + *(long*)(buf + 96);
        var hash = (mode & 0xF000) == 0x8000 ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "";
        return new HostFile(path, *(uint*)(buf + 28), *(uint*)(buf + 32), mode, *(long*)(buf + 48), mtime, *(ulong*)(buf + 16), hash);
    }

    public bool IsSetUid => (Mode & 0x800) != 0;
}
