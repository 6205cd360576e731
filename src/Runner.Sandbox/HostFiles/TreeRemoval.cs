using System.Runtime.InteropServices;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// Removes a directory tree a box wrote, by file descriptor. A box can build a tree far deeper
/// than PATH_MAX (40 levels of 200-character names), which path-based removal
/// (<see cref="Directory.Delete(string, bool)"/>, anything that joins names into paths) cannot
/// even name, and names that are not UTF-8, which .NET strings cannot carry. So every step is
/// relative to the fd of the directory it happens in, names stay raw bytes from getdents64, and
/// only one directory fd is open at a time: the way back up is "..", checked against the
/// device and inode recorded on the way down. Symlinks are unlinked, never followed. The box is
/// dead when this runs, and the work root is the service's own, so nothing moves meanwhile.
/// </summary>
internal static unsafe class TreeRemoval
{
    internal const int StatDevOffset = 0, StatInoOffset = 8;
    private const int OpenDirectory = Libc.ORdonly | Libc.ODirectory | Libc.ONofollow | Libc.OCloexec;

    /// <summary>Removes <paramref name="path"/> and everything below it; null on success, else why not.</summary>
    public static string? Remove(string path)
    {
        var parentPath = Path.GetDirectoryName(path.TrimEnd('/'));
        var name = Path.GetFileName(path.TrimEnd('/'));
        if (string.IsNullOrEmpty(parentPath) || string.IsNullOrEmpty(name)) return $"'{path}' has no parent directory";
        var parent = Libc.open(parentPath, OpenDirectory, 0);
        if (parent < 0) return Libc.Errno == Errno.ENOENT ? null : $"cannot open {parentPath}: {ErrnoName.Describe(Libc.Errno)}";
        try
        {
            return RemoveAt(parent, System.Text.Encoding.UTF8.GetBytes(name));
        }
        finally
        {
            Libc.close(parent);
        }
    }

    private static string? RemoveAt(int top, byte[] topName)
    {
        if (Unlink(top, topName, 0) == 0) return null; // not a directory
        var errno = Libc.Errno;
        if (errno == Errno.ENOENT) return null;
        if (errno != Errno.EISDIR) return $"cannot remove: {ErrnoName.Describe(errno)}";

        // The way down: for each level entered, its name in its parent and the parent's identity.
        var path = new Stack<(byte[] Name, (ulong Dev, ulong Ino) Parent)>();
        var current = OpenChild(top, topName);
        if (current < 0) return $"cannot open the directory: {ErrnoName.Describe(Libc.Errno)}";
        path.Push((topName, Identity(top)));
        var buffer = (byte*)NativeMemory.Alloc(32 * 1024);
        try
        {
            while (true)
            {
                var descended = false;
                foreach (var entry in Entries(current, buffer))
                {
                    if (Unlink(current, entry, 0) == 0) continue;
                    errno = Libc.Errno;
                    if (errno == Errno.ENOENT) continue;
                    if (errno != Errno.EISDIR) return $"cannot remove an entry: {ErrnoName.Describe(errno)}";
                    var child = OpenChild(current, entry);
                    if (child < 0) return $"cannot open a directory in the tree: {ErrnoName.Describe(Libc.Errno)}";
                    path.Push((entry, Identity(current)));
                    Libc.close(current);
                    current = child;
                    descended = true;
                    break;
                }
                if (descended) continue;

                // current is empty: go up one level and remove it there.
                var (name, expected) = path.Pop();
                var up = path.Count == 0 ? Libc.fcntl(top, Libc.FDupfdCloexec, 0) : OpenParent(current);
                Libc.close(current);
                current = -1;
                if (up < 0) return $"cannot go back up the tree: {ErrnoName.Describe(Libc.Errno)}";
                if (Identity(up) != expected)
                {
                    Libc.close(up);
                    return "the tree moved while it was being removed";
                }
                var removed = Unlink(up, name, Libc.AtRemovedir);
                errno = Libc.Errno;
                if (path.Count == 0)
                {
                    Libc.close(up);
                    return removed == 0 || errno == Errno.ENOENT ? null : $"cannot remove the directory: {ErrnoName.Describe(errno)}";
                }
                if (removed < 0 && errno != Errno.ENOENT)
                {
                    Libc.close(up);
                    return $"cannot remove a directory in the tree: {ErrnoName.Describe(errno)}";
                }
                current = up;
            }
        }
        finally
        {
            if (current >= 0) Libc.close(current);
            NativeMemory.Free(buffer);
        }
    }

    /// <summary>Opens a subdirectory; one the box made unreadable (chmod 000) is made searchable first.</summary>
    private static int OpenChild(int dir, byte[] name)
    {
        fixed (byte* n = Terminated(name))
        {
            var fd = (int)Libc.syscall(Sys.Openat, dir, (long)n, OpenDirectory, 0);
            if (fd >= 0 || Libc.Errno != Errno.EACCES) return fd;
            if (Libc.syscall(Sys.Fchmodat, dir, (long)n, 0x1c0, 0) < 0) return -1;
            return (int)Libc.syscall(Sys.Openat, dir, (long)n, OpenDirectory, 0);
        }
    }

    private static int OpenParent(int dir)
    {
        fixed (byte* n = ".."u8)
            return (int)Libc.syscall(Sys.Openat, dir, (long)n, OpenDirectory, 0);
    }

    /// <summary>unlinkat; in a directory the box made read-only (rootless: no override), once more after making it writable.</summary>
    private static int Unlink(int dir, byte[] name, int flags)
    {
        fixed (byte* n = Terminated(name))
        {
            var result = (int)Libc.syscall(Sys.Unlinkat, dir, (long)n, flags, 0);
            if (result == 0 || Libc.Errno != Errno.EACCES || Libc.fchmod(dir, 0x1c0) < 0) return result;
            return (int)Libc.syscall(Sys.Unlinkat, dir, (long)n, flags, 0);
        }
    }

    /// <summary>The raw names in a directory (without "." and ".."), read in one pass from its fd.</summary>
    private static List<byte[]> Entries(int dir, byte* buffer)
    {
        var names = new List<byte[]>();
        Libc.syscall(Sys.Lseek, dir, 0, 0, 0);
        while (true)
        {
            var n = Libc.syscall(Sys.Getdents64, dir, (long)buffer, 32 * 1024, 0);
            if (n <= 0) return names;
            for (long offset = 0; offset < n;)
            {
                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                var record = buffer + offset;
                var length = *(ushort*)(record + 16);
                var name = new ReadOnlySpan<byte>(record + 19, length - 19);
                name = name[..name.IndexOf((byte)0)];
                if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8)) names.Add(name.ToArray());
                offset += length;
            }
        }
    }

    private static (ulong Dev, ulong Ino) Identity(int fd)
    {
        var stat = stackalloc byte[FileStatus.StatSize];
        if (Libc.fstatat(fd, "", stat, Libc.AtEmptyPath) < 0) return (0, 0);
        return (*(ulong*)(stat + StatDevOffset), *(ulong*)(stat + StatInoOffset));
    }

    private static byte[] Terminated(byte[] name)
    {
        var z = new byte[name.Length + 1];
        name.CopyTo(z, 0);
        return z;
    }
}
