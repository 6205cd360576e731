using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// The directory under which a service creates its box directories (the judge's sessions, the
/// API's runs). Box directories are created in it, filled and removed by path, so whoever can
/// rename entries in it, or in any directory above it, could swap a fresh box directory for a
/// symlink and make the root service write request-chosen files anywhere (reproduced against
/// a root-owned 0700 directory). So the root must be a real directory owned by this process's
/// uid that no one else can write, and every directory above it must be owned by root or by
/// us and, if others can write it, sticky (as /tmp is: others cannot rename our entries).
/// </summary>
public static class WorkRoot
{
    private const uint GroupOrOtherWrite = 0x12; // 0o022
    private const uint Sticky = 0x200; // 0o1000

    /// <summary>
    /// "/dev/shm/runner-PURPOSE-USER" when /dev/shm is a tmpfs (a program's writes to /box then
    /// count against its memory limit rather than fill a disk), else the same under $TMPDIR.
    /// Per user, so services under different uids never share (or fight over) one root.
    /// </summary>
    public static string Default(string purpose)
    {
        var name = $"runner-{purpose}-{Environment.UserName}";
        return IsTmpfs("/dev/shm") ? Path.Combine("/dev/shm", name) : Path.Combine(Path.GetTempPath(), name);
    }

    /// <summary>Creates <paramref name="path"/> if missing (0755: boxes resolve their bind source as their own uid) and checks it.</summary>
    /// <exception cref="IOException">The root or a directory above it could be changed by someone else.</exception>
    public static string Prepare(string path)
    {
        var full = Path.GetFullPath(path);
        CheckAncestors(full);
        if (FileStatus.OfPathNoFollow(full) is null)
        {
            // mkdir fails on a symlink planted meanwhile; the check below judges whatever exists.
            try
            {
                Directory.CreateDirectory(full, (UnixFileMode)0x1ed);
            }
            catch (IOException) { }
        }
        var me = Libc.geteuid();
        if (FileStatus.OfPathNoFollow(full) is not { } root)
            throw new IOException($"work root {full} cannot be created or examined");
        if (!root.IsDirectory)
            throw new IOException($"work root {full} is not a directory (a symlink or a file); remove it or set another work root");
        if (root.Uid != me)
            throw new IOException($"work root {full} belongs to uid {root.Uid}, not to this service's uid {me}; remove it or set another work root");
        if ((root.Mode & GroupOrOtherWrite) != 0)
            throw new IOException($"work root {full} is writable by others (mode {Convert.ToString(root.Mode & 0xfff, 8)}); remove it or set another work root");
        return full;
    }

    private static void CheckAncestors(string full)
    {
        var me = Libc.geteuid();
        for (var dir = Path.GetDirectoryName(full); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (FileStatus.OfPathNoFollow(dir) is not { } status) continue; // created below, by us
            if (status.Uid != 0 && status.Uid != me)
                throw new IOException($"work root {full}: {dir} belongs to uid {status.Uid}, who could move the work root; set another work root");
            if (!status.IsDirectory)
            {
                // A symlink above the root is the operator's choice (/tmp -> /var/tmp); the
                // checks apply to where it leads.
                if (new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true) is { } target)
                {
                    CheckAncestors(Path.Combine(target.FullName, Path.GetRelativePath(dir, full)));
                    return;
                }
                throw new IOException($"work root {full}: {dir} is not a directory");
            }
            if ((status.Mode & GroupOrOtherWrite) != 0 && (status.Mode & Sticky) == 0)
                throw new IOException($"work root {full}: {dir} is writable by others and not sticky, so they could move the work root; set another work root");
        }
    }

    private static bool IsTmpfs(string path)
    {
        try
        {
            return File.ReadLines("/proc/self/mountinfo").Any(line =>
            {
                var fields = line.Split(' ');
                var separator = Array.IndexOf(fields, "-");
                return fields.Length > 4 && fields[4] == path && separator > 0 && fields[separator + 1] == "tmpfs";
            });
        }
        catch (IOException)
        {
            return false;
        }
    }
}
