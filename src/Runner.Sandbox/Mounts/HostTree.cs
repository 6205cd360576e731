using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Mounts;

/// <summary>
/// A host directory as a detached mount (open_tree with OPEN_TREE_CLONE), for a box whose root
/// was built before its program came (a warm box): it has pivoted away from the host's tree, so
/// it cannot bind a host path any more, but it can attach a mount it is handed as an fd
/// (move_mount). The clone is made here, in the host's mount namespace, which needs root: a
/// rootless engine runs such programs in a box built for them instead. Like the bind it replaces,
/// it takes the directory's submounts along, all nosuid and nodev and private, so nothing mounted
/// on the host later shows up in the box.
/// </summary>
internal static unsafe class HostTree
{
    /// <summary>sizeof(struct mount_attr): attr_set, attr_clr, propagation, userns_fd (u64 each).</summary>
    public const int MountAttrSize = 32;

    /// <summary>The detached copy of <paramref name="directory"/> (no symlink in its path), CLOEXEC.</summary>
    /// <exception cref="IOException">It cannot be opened or cloned.</exception>
    public static int Clone(string directory)
    {
        var dir = Libc.openat2(Libc.AtFdcwd, directory, (ulong)(Libc.OPath | Libc.ODirectory | Libc.OCloexec),
            Libc.ResolveNoSymlinks | Libc.ResolveNoMagiclinks);
        if (dir < 0) throw new IOException($"cannot open the work dir '{directory}': {ErrnoName.Describe(Libc.Errno)}");
        try
        {
            var empty = stackalloc byte[1];
            empty[0] = 0;
            var tree = (int)Libc.syscall(Sys.OpenTree, dir, (long)empty,
                Flags.OpenTreeClone | Libc.OCloexec | Flags.AtRecursive | Libc.AtEmptyPath, 0);
            if (tree < 0) throw new IOException($"cannot clone the work dir '{directory}' as a mount: {ErrnoName.Describe(Libc.Errno)}");
            var attr = stackalloc long[MountAttrSize / sizeof(long)];
            attr[0] = Flags.MountAttrNosuid | Flags.MountAttrNodev;
            attr[1] = 0;
            attr[2] = Flags.MsPrivate;
            attr[3] = 0;
            if (MountSetattr(tree, empty, Libc.AtEmptyPath | Flags.AtRecursive, attr) < 0)
            {
                var errno = Libc.Errno;
                Libc.close(tree);
                throw new IOException($"cannot make the work dir's mount nosuid, nodev and private: {ErrnoName.Describe(errno)}");
            }
            return tree;
        }
        finally
        {
            Libc.close(dir);
        }
    }

    private static long MountSetattr(int fd, byte* path, long flags, long* attr) =>
        Libc.syscall(Sys.MountSetattr, fd, (long)path, flags, (long)attr, MountAttrSize);
}
