using Microsoft.Win32.SafeHandles;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// A host directory that one box gets at /box. Every host-side operation on it goes through a
/// directory fd and <c>openat(O_NOFOLLOW)</c> on single path components, and reads only what
/// <c>fstat</c> says is a regular file, up to a size cap: a box that leaves symlinks, FIFOs or
/// huge files behind cannot make the host read or write outside it (judge0 CVE-2024-28185 and
/// CVE-2024-28189, go-judge #176). The box is dead whenever the host touches the directory, so
/// checks on an open fd cannot race with it. The judge and the API's /runs both use it.
/// </summary>
public sealed class BoxDirectory : IDisposable
{
    private BoxDirectory(string path) => FullPath = path;

    public string FullPath { get; }

    /// <summary>Creates <paramref name="name"/> under <paramref name="parent"/>; it must not exist yet.</summary>
    public static BoxDirectory Create(string parent, string name)
    {
        CheckName(name);
        var path = Path.Combine(parent, name);
        // 0755: the box's uid (not the host's root) resolves the bind source while mounting.
        if (Libc.mkdirat(Libc.AtFdcwd, path, 0x1ed) < 0) throw BoxFileException.FromErrno("mkdir", path);
        return new BoxDirectory(path);
    }

    /// <summary>
    /// Creates <paramref name="relativePath"/> (a name, or names joined by '/'), which must not
    /// exist yet; missing parent directories are created, and none is followed if it is a link.
    /// </summary>
    public void WriteFile(string relativePath, ReadOnlySpan<byte> content, bool executable = false)
    {
        var parts = relativePath.Split('/');
        using var root = OpenDirectory();
        var dir = root;
        var opened = new List<SafeFileHandle>();
        try
        {
            foreach (var part in parts[..^1])
            {
                CheckName(part);
                if (Libc.mkdirat((int)dir.DangerousGetHandle(), part, 0x1ed) < 0 && Libc.Errno != Errno.EEXIST)
                    throw BoxFileException.FromErrno("mkdir", relativePath);
                dir = OpenSubdirectory(dir, part);
                opened.Add(dir);
            }
            Write(dir, parts[^1], content, executable ? 0x1ed : 0x1a4);
        }
        finally
        {
            foreach (var handle in opened) handle.Dispose();
        }
    }

    /// <summary>Reads a regular file left in the box, refusing links, special files and anything over the cap.</summary>
    public byte[] ReadFile(string name, long maxBytes)
    {
        using var dir = OpenDirectory();
        return ReadRegular(dir, name, maxBytes) ?? throw new BoxFileException($"'{name}' in the box is not a regular file");
    }

    /// <summary>
    /// Reads <paramref name="relativePath"/> for copy-out: opened with openat2 beneath this
    /// directory (RESOLVE_BENEATH: no "..", no absolute path) with no symlink in any component,
    /// then checked on the fd to be a regular file within <paramref name="maxBytes"/>. A refusal
    /// comes back as <see cref="CopiedOut.Error"/>, never as an exception.
    /// </summary>
    public CopiedOut CopyOut(string relativePath, long maxBytes)
    {
        using var dir = OpenDirectory();
        var fd = NoFollowOpen.ReadBeneath((int)dir.DangerousGetHandle(), relativePath);
        if (fd < 0)
        {
            return new CopiedOut(null, null, -fd switch
            {
                Errno.ENOENT => "no such file",
                Errno.ELOOP => "refused: the path is or passes through a symbolic link",
                Errno.EXDEV => "refused: the path leaves the box",
                var errno => $"cannot open: {ErrnoName.Describe(errno)}",
            });
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (FileStatus.Of(fd) is not { } status)
            return new CopiedOut(null, null, $"cannot stat: {ErrnoName.Describe(Libc.Errno)}");
        if (!status.IsRegularFile)
            return new CopiedOut(null, null, "refused: not a regular file");
        if (status.Size > maxBytes)
            return new CopiedOut(null, status.Size, $"refused: {status.Size} bytes is over the copy-out cap of {maxBytes}");
        var content = ReadAll(handle, status.Size, maxBytes, relativePath);
        return new CopiedOut(content, content.Length, null);
    }

    /// <summary>
    /// Everything regular the box left here (recursively, symlinks and special files skipped),
    /// so it can be laid into later boxes without them sharing a directory.
    /// </summary>
    public IReadOnlyList<BoxFile> Snapshot(long maxTotalBytes, int maxFiles)
    {
        var files = new List<BoxFile>();
        long total = 0;
        using var root = OpenDirectory();
        Collect(root, "", depth: 0);
        return files;

        void Collect(SafeFileHandle dir, string prefix, int depth)
        {
            if (depth > 16) throw new BoxFileException("the compile box left directories nested deeper than 16 levels");
            foreach (var name in ListNames(dir))
            {
                var fd = Libc.openat((int)dir.DangerousGetHandle(), name, Libc.ORdonly | Libc.ONofollow | Libc.ONonblock | Libc.OCloexec, 0);
                if (fd < 0) continue; // ELOOP: a symlink, never followed
                using var handle = new SafeFileHandle(fd, ownsHandle: true);
                var (mode, size) = Stat(fd, name);
                var relative = prefix + name;
                if ((mode & Libc.SIfmt) == Libc.SIfdir)
                {
                    files.Add(new BoxFile(relative + "/", [], 0x1ed));
                    Collect(handle, relative + "/", depth + 1);
                }
                else if ((mode & Libc.SIfmt) == Libc.SIfreg)
                {
                    if (files.Count >= maxFiles) throw new BoxFileException($"the compile box left more than {maxFiles} files");
                    total += size;
                    if (total > maxTotalBytes)
                        throw new BoxFileException($"the compile box left more than {maxTotalBytes} bytes of files");
                    var content = ReadAll(handle, size, maxTotalBytes, relative);
                    // Only the owner's exec bit matters to the box; never carry setuid/sticky bits.
                    files.Add(new BoxFile(relative, content, (mode & 0x40) != 0 ? 0x1ed : 0x1a4));
                }
            }
        }
    }

    /// <summary>Lays a <see cref="Snapshot"/> into this (fresh) directory.</summary>
    public void Restore(IReadOnlyList<BoxFile> files)
    {
        using var root = OpenDirectory();
        foreach (var file in files)
        {
            var parts = file.RelativePath.TrimEnd('/').Split('/');
            var dir = root;
            var opened = new List<SafeFileHandle>();
            try
            {
                for (var i = 0; i < parts.Length - 1; i++)
                {
                    dir = OpenSubdirectory(dir, parts[i]);
                    opened.Add(dir);
                }
                var last = parts[^1];
                if (file.IsDirectory)
                {
                    CheckName(last);
                    if (Libc.mkdirat((int)dir.DangerousGetHandle(), last, 0x1ed) < 0)
                        throw BoxFileException.FromErrno("mkdir", file.RelativePath);
                }
                else Write(dir, last, file.Content, file.Mode);
            }
            finally
            {
                foreach (var handle in opened) handle.Dispose();
            }
        }
    }

    /// <summary>
    /// Called with the path and the reason when a box directory could not be removed; hosts
    /// log it. Removal never throws: a failure must not turn into a failed (and retried) run.
    /// </summary>
    public static event Action<string, string>? CleanupFailed;

    /// <summary>
    /// Removes the directory and everything the box left in it, by file descriptor (see
    /// <see cref="TreeRemoval"/>): however deep, however named, links unlinked and never followed.
    /// Returns null, or why it could not (also reported through <see cref="CleanupFailed"/>).
    /// </summary>
    public string? Delete()
    {
        string? error;
        try
        {
            error = TreeRemoval.Remove(FullPath);
        }
        catch (Exception e)
        {
            error = e.Message;
        }
        if (error is not null)
        {
            try { CleanupFailed?.Invoke(FullPath, error); }
            catch (Exception) { /* a reporting hook must not make cleanup throw */ }
        }
        return error;
    }

    public void Dispose() => Delete();

    private SafeFileHandle OpenDirectory()
    {
        var fd = Libc.openat(Libc.AtFdcwd, FullPath, Libc.ORdonly | Libc.ODirectory | Libc.ONofollow | Libc.OCloexec, 0);
        if (fd < 0) throw BoxFileException.FromErrno("open", FullPath);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static SafeFileHandle OpenSubdirectory(SafeFileHandle parent, string name)
    {
        CheckName(name);
        var fd = Libc.openat((int)parent.DangerousGetHandle(), name, Libc.ORdonly | Libc.ODirectory | Libc.ONofollow | Libc.OCloexec, 0);
        if (fd < 0) throw BoxFileException.FromErrno("open", name);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static void Write(SafeFileHandle dir, string name, ReadOnlySpan<byte> content, int mode)
    {
        CheckName(name);
        var fd = Libc.openat((int)dir.DangerousGetHandle(), name, Libc.OWronly | Libc.OCreat | Libc.OExcl | Libc.ONofollow | Libc.OCloexec, mode);
        if (fd < 0) throw BoxFileException.FromErrno("create", name);
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        RandomAccess.Write(handle, content, 0);
        // The umask may have dropped bits; the mode must be exactly what was asked.
        if (Libc.fchmod(fd, mode) < 0) throw BoxFileException.FromErrno("chmod", name);
    }

    private static (uint Mode, long Size) Stat(int fd, string name) =>
        FileStatus.Of(fd) is { } status ? (status.Mode, status.Size) : throw BoxFileException.FromErrno("fstat", name);

    private static byte[]? ReadRegular(SafeFileHandle dir, string name, long maxBytes)
    {
        CheckName(name);
        var fd = Libc.openat((int)dir.DangerousGetHandle(), name, Libc.ORdonly | Libc.ONofollow | Libc.ONonblock | Libc.OCloexec, 0);
        if (fd < 0) throw BoxFileException.FromErrno("open", name);
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var (mode, size) = Stat(fd, name);
        if ((mode & Libc.SIfmt) != Libc.SIfreg) return null;
        return ReadAll(handle, size, maxBytes, name);
    }

    private static byte[] ReadAll(SafeFileHandle handle, long size, long maxBytes, string name)
    {
        if (size > maxBytes) throw new BoxFileException($"'{name}' is larger than {maxBytes} bytes");
        var content = new byte[size];
        var read = 0;
        while (read < content.Length)
        {
            var n = RandomAccess.Read(handle, content.AsSpan(read), read);
            if (n == 0) break;
            read += n;
        }
        return read == content.Length ? content : content[..read];
    }

    /// <summary>Names through the fd itself, so a path swap cannot redirect the listing.</summary>
    private static List<string> ListNames(SafeFileHandle dir) =>
        Directory.EnumerateFileSystemEntries($"/proc/self/fd/{dir.DangerousGetHandle()}")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    private static void CheckName(string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
            throw new BoxFileException($"'{name}' is not a single path component");
    }
}

/// <summary>A copy-out read: the content, or why it was refused (Size is set when the file was too large).</summary>
public sealed record CopiedOut(byte[]? Content, long? Size, string? Error);

/// <summary>A file (or, with a trailing '/', a directory) taken from a box, relative to /box.</summary>
public sealed record BoxFile(string RelativePath, byte[] Content, int Mode)
{
    public bool IsDirectory => RelativePath.EndsWith('/');
}
