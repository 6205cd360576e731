using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;

namespace Runner.Api.Runs;

/// <summary>
/// Reads files the box left behind without ever following a link the box planted. Each path
/// is opened with openat2 relative to the box directory with RESOLVE_BENEATH (no escaping by
/// "..") and RESOLVE_NO_SYMLINKS (no symlink in any component, the last one included), then
/// checked with fstat-on-the-fd to be a regular file, and read up to a cap. The checks act
/// on the opened fd, so the box cannot swap the file between check and read (and it is dead
/// by then anyway).
/// </summary>
internal static partial class BoxFileReader
{
    public sealed record Outcome(byte[]? Content, long? Size, string? Error);

    public static Outcome Read(string boxDirectory, string relativePath, long maxBytes)
    {
        using var dir = OpenDirectory(boxDirectory);
        var fd = NoFollowOpen.ReadBeneath(dir.DangerousGetHandle().ToInt32(), relativePath);
        if (fd < 0)
        {
            var errno = -fd;
            return new Outcome(null, null, errno switch
            {
                2 => "no such file",
                40 => "refused: the path is or passes through a symbolic link",
                18 => "refused: the path leaves the box",
                _ => $"cannot open (errno {errno})",
            });
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (FileStatus.Of(fd) is not { } status)
            return new Outcome(null, null, $"cannot stat (errno {Marshal.GetLastPInvokeError()})");
        if (!status.IsRegularFile)
            return new Outcome(null, null, "refused: not a regular file");
        var size = status.Size;
        if (size > maxBytes)
            return new Outcome(null, size, $"refused: {size} bytes is over the copy-out cap of {maxBytes}");

        var buffer = new byte[size];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read), read);
            if (n == 0) break;
            read += n;
        }
        return new Outcome(read == buffer.Length ? buffer : buffer[..read], read, null);
    }

    private static SafeFileHandle OpenDirectory(string path)
    {
        var fd = open(path, (int)(ORdOnly | ODirectory | OCloExec | ONoFollow));
        if (fd < 0) throw new IOException($"cannot open box directory {path}: errno {Marshal.GetLastPInvokeError()}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private const long ORdOnly = 0, ODirectory = 0x10000, ONoFollow = 0x20000, OCloExec = 0x80000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);
}
