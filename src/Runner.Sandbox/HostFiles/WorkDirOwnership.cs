using Runner.Sandbox.Namespaces;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// A host work directory mounted at /box must be writable by the box's host uid during the run.
/// Afterwards, when every box process is dead, what the box left there is handed back to the
/// directory's original owner. Nothing here follows a symlink: the box could have planted one
/// aimed at a host file (the judge0 CVE-2024-28185 pattern).
/// </summary>
internal sealed class WorkDirOwnership
{
    private readonly string _path;
    private readonly uint _ownerUid, _ownerGid, _boxUid;

    private WorkDirOwnership(string path, uint ownerUid, uint ownerGid, uint boxUid)
    {
        _path = path;
        _ownerUid = ownerUid;
        _ownerGid = ownerGid;
        _boxUid = boxUid;
    }

    public static WorkDirOwnership? HandToBox(string path, BoxIdentity identity)
    {
        if (!identity.Privileged) return null; // rootless: root inside already is the owner outside
        var fd = Libc.open(path, Libc.ORdonly | Libc.ODirectory | Libc.ONofollow | Libc.OCloexec, 0);
        if (fd < 0)
            throw new IOException($"--workdir '{path}' is not a directory (or is a symlink): {ErrnoName.Describe(Libc.Errno)}");
        try
        {
            var (uid, gid) = FileStatus.OfPathNoFollow(path) is { } s ? (s.Uid, s.Gid) : (uint.MaxValue, uint.MaxValue);
            if (Libc.fchown(fd, identity.HostUid, identity.HostGid) < 0)
                throw new IOException($"cannot hand '{path}' to the box uid {identity.HostUid}: {ErrnoName.Describe(Libc.Errno)}");
            return new WorkDirOwnership(path, uid, gid, identity.HostUid);
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>
    /// Walks the directory by file descriptor: each directory is opened with O_NOFOLLOW relative
    /// to its parent's fd, and entries are inspected and chowned relative to that fd. A path-based
    /// walk re-resolves every parent component at each step, so a directory swapped for a symlink
    /// between being listed and being entered would be followed (found by the security suite).
    /// Open fds are bounded by the depth; a subtree that cannot be opened is left as it is.
    /// </summary>
    public void Restore()
    {
        var root = Libc.open(_path, Libc.ORdonly | Libc.ODirectory | Libc.ONofollow | Libc.OCloexec, 0);
        if (root < 0) return;
        Libc.fchown(root, _ownerUid, _ownerGid);
        var open = new Stack<(int Fd, List<string> Names, int Next)>();
        open.Push((root, NamesIn(root), 0));
        while (open.Count > 0)
        {
            var (fd, names, next) = open.Pop();
            if (next >= names.Count)
            {
                Libc.close(fd);
                continue;
            }
            open.Push((fd, names, next + 1));
            var name = names[next];
            if (FileStatus.AtNoFollow(fd, name) is not { } status) continue;
            if (status.Uid == _boxUid) Libc.fchownat(fd, name, _ownerUid, _ownerGid, Libc.AtSymlinkNofollow);
            if (!status.IsDirectory) continue;
            var sub = Libc.openat(fd, name, Libc.ORdonly | Libc.ODirectory | Libc.ONofollow | Libc.OCloexec, 0);
            if (sub >= 0) open.Push((sub, NamesIn(sub), 0));
        }
    }

    /// <summary>Entry names of an open directory; /proc/self/fd/N resolves to that very directory, never by path.</summary>
    private static List<string> NamesIn(int dirFd)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/self/fd/{dirFd}").Select(e => Path.GetFileName(e)).ToList();
        }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }
}
