using Runner.Sandbox.Namespaces;
using Runner.Sandbox.Native;

namespace Runner.Sandbox;

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
            var (uid, gid) = OwnerOf(path);
            if (Libc.fchown(fd, identity.HostUid, identity.HostGid) < 0)
                throw new IOException($"cannot hand '{path}' to the box uid {identity.HostUid}: {ErrnoName.Describe(Libc.Errno)}");
            return new WorkDirOwnership(path, uid, gid, identity.HostUid);
        }
        finally
        {
            Libc.close(fd);
        }
    }

    public void Restore()
    {
        Libc.fchownat(Libc.AtFdcwd, _path, _ownerUid, _ownerGid, Libc.AtSymlinkNofollow);
        var pending = new Stack<string>();
        pending.Push(_path);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            IEnumerable<FileSystemInfo> entries;
            try { entries = new DirectoryInfo(dir).EnumerateFileSystemInfos(); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            foreach (var entry in entries)
            {
                if (OwnerOf(entry.FullName).Uid == _boxUid)
                    Libc.fchownat(Libc.AtFdcwd, entry.FullName, _ownerUid, _ownerGid, Libc.AtSymlinkNofollow);
                // Never descend through a symlink; LinkTarget is set for links of any kind.
                if (entry is DirectoryInfo && entry.LinkTarget is null) pending.Push(entry.FullName);
            }
        }
    }

    private static unsafe (uint Uid, uint Gid) OwnerOf(string path)
    {
        var buffer = stackalloc byte[256];
        if (Libc.fstatat(Libc.AtFdcwd, path, buffer, Libc.AtSymlinkNofollow) < 0) return (uint.MaxValue, uint.MaxValue);
        // struct stat on x86-64: st_uid at offset 28, st_gid at 32.
        return (*(uint*)(buffer + 28), *(uint*)(buffer + 32));
    }
}
