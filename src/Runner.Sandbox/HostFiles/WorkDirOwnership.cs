using Runner.Sandbox.Namespaces;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// A host directory the box writes to (the work directory at /box, a <c>--bind SRC:DST:rw</c>
/// source) must belong to the box's host uid during the run: inside the box, files of any other
/// uid show as nobody and are read-only to it. So before the run the directory and everything
/// in it that its owner owns is handed to the box's uid, and afterwards, when every box process
/// is dead, everything the box's uid owns there (what it was handed and what it created) is
/// handed back to the directory's owner. Entries of third parties are left alone both ways.
/// Nothing here follows a symlink: the box could have planted one aimed at a host file (the
/// judge0 CVE-2024-28185 pattern). Rootless, root in the box already is the owner outside, and
/// nothing changes hands.
/// </summary>
internal sealed class WorkDirOwnership
{
    private readonly string _path;
    private readonly uint _ownerUid, _ownerGid, _boxUid;
    private ulong _device;

    private WorkDirOwnership(string path, uint ownerUid, uint ownerGid, uint boxUid)
    {
        _path = path;
        _ownerUid = ownerUid;
        _ownerGid = ownerGid;
        _boxUid = boxUid;
    }

    /// <param name="what">How the caller named the path, for messages ("--workdir", "bind source").</param>
    public static WorkDirOwnership? HandToBox(string path, BoxIdentity identity, string what = "--workdir")
    {
        if (!identity.Privileged) return null;
        if (FileStatus.OfPathNoFollow(path) is not { } top)
            throw new IOException($"{what} '{path}' cannot be examined: {ErrnoName.Describe(Libc.Errno)}");
        if (Path.GetFullPath(path) == "/")
            throw new IOException($"{what} '/' would hand the whole host to the box; give a directory of its own");
        var handed = new WorkDirOwnership(path, top.Uid, top.Gid, identity.HostUid) { _device = top.Device };
        if (!top.IsDirectory)
        {
            // A single file bound read-write: its owner's file becomes the box's for the run.
            if (top.Uid == handed._ownerUid && Libc.fchownat(Libc.AtFdcwd, path, identity.HostUid, identity.HostGid, Libc.AtSymlinkNofollow) < 0)
                throw new IOException($"cannot hand {what} '{path}' to the box uid {identity.HostUid}: {ErrnoName.Describe(Libc.Errno)}");
            return handed;
        }
        var fd = Libc.open(path, Libc.ORdonly | Libc.ODirectory | Libc.ONofollow | Libc.OCloexec, 0);
        if (fd < 0)
            throw new IOException($"{what} '{path}' is not a directory (or is a symlink): {ErrnoName.Describe(Libc.Errno)}");
        if (Libc.fchown(fd, identity.HostUid, identity.HostGid) < 0)
        {
            var errno = Libc.Errno;
            Libc.close(fd);
            throw new IOException($"cannot hand {what} '{path}' to the box uid {identity.HostUid}: {ErrnoName.Describe(errno)}");
        }
        handed.Walk(fd, (dir, name, status) =>
        {
            if (status.Uid == handed._ownerUid) Libc.fchownat(dir, name, identity.HostUid, identity.HostGid, Libc.AtSymlinkNofollow);
        });
        return handed;
    }

    public void Restore()
    {
        if (FileStatus.OfPathNoFollow(_path) is { IsDirectory: false } file)
        {
            if (file.Uid == _boxUid) Libc.fchownat(Libc.AtFdcwd, _path, _ownerUid, _ownerGid, Libc.AtSymlinkNofollow);
            return;
        }
        var root = Libc.open(_path, Libc.ORdonly | Libc.ODirectory | Libc.ONofollow | Libc.OCloexec, 0);
        if (root < 0) return;
        Libc.fchown(root, _ownerUid, _ownerGid);
        Walk(root, (dir, name, status) =>
        {
            if (status.Uid == _boxUid) Libc.fchownat(dir, name, _ownerUid, _ownerGid, Libc.AtSymlinkNofollow);
        });
    }

    /// <summary>
    /// Visits every entry below the directory open as <paramref name="root"/> (and closes it),
    /// by file descriptor: each directory is opened with O_NOFOLLOW relative to its parent's fd,
    /// and entries are inspected and changed relative to that fd. A path-based walk re-resolves
    /// every parent component at each step, so a directory swapped for a symlink between being
    /// listed and being entered would be followed (found by the security suite). Open fds are
    /// bounded by the depth; a subtree that cannot be opened is left as it is, and so is anything
    /// mounted below (another filesystem is not the directory's to give).
    /// </summary>
    private void Walk(int root, Action<int, string, FileStatus> visit)
    {
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
            if (FileStatus.AtNoFollow(fd, name) is not { } status || status.Device != _device) continue;
            visit(fd, name, status);
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
