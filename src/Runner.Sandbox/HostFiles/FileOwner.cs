using System.Runtime.InteropServices;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// Hands a host path to another uid without following a symlink at its last component
/// (lchown), so a link planted in a tree being given away cannot redirect the chown.
/// </summary>
public static class FileOwner
{
    public static void GiveNoFollow(string path, uint uid, uint gid)
    {
        if (Libc.fchownat(Libc.AtFdcwd, path, uid, gid, Libc.AtSymlinkNofollow) != 0)
            throw new IOException($"cannot give {path} to uid {uid}: {ErrnoName.Describe(Marshal.GetLastPInvokeError())}");
    }
}
