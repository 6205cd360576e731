using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Runner.Api.Runs;

/// <summary>
/// Reads files the box left behind without ever following a link the box planted. Each path
/// is opened with openat2 relative to the box directory with RESOLVE_BENEATH (no escaping by
/// "..") and RESOLVE_NO_SYMLINKS (no symlink in any component, the last one included), then
/// checked with fstat-on-the-fd to be a regular file, and read up to a cap. The checks act
/// on the opened fd, so the box cannot swap the file between check and read (and it is dead
/// by then anyway).
/// </summary>
internal static unsafe partial class BoxFileReader
{
    public sealed record Outcome(byte[]? Content, long? Size, string? Error);

    public static Outcome Read(string boxDirectory, string relativePath, long maxBytes)
    {
        using var dir = OpenDirectory(boxDirectory);
        var how = new OpenHow
        {
            Flags = ORdOnly | ONoFollow | ONonBlock | OCloExec | ONoCtty,
            Resolve = ResolveBeneath | ResolveNoSymlinks | ResolveNoMagicLinks,
        };
        var fd = OpenAt2(dir.DangerousGetHandle().ToInt32(), relativePath, ref how);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return new Outcome(null, null, errno switch
            {
                2 => "no such file",
                40 => "refused: the path is or passes through a symbolic link",
                18 => "refused: the path leaves the box",
                _ => $"cannot open (errno {errno})",
            });
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        Statx st;
        if (statx(fd, "", AtEmptyPath, StatxType | StatxSize, &st) != 0)
            return new Outcome(null, null, $"cannot stat (errno {Marshal.GetLastPInvokeError()})");
        if ((st.Mode & SIfMt) != SIfReg)
            return new Outcome(null, null, "refused: not a regular file");
        var size = (long)st.Size;
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

    private static int OpenAt2(int dirFd, string path, ref OpenHow how)
    {
        fixed (OpenHow* p = &how)
            return (int)syscall(SysOpenAt2, dirFd, path, p, (nuint)sizeof(OpenHow));
    }

    // Values from the Linux UAPI headers (identical on x86_64 and arm64 except the syscall table,
    // where openat2 is 437 on both).
    private const long SysOpenAt2 = 437;
    private const ulong ORdOnly = 0;
    private const ulong ONoCtty = 0x100;
    private const ulong ONonBlock = 0x800;
    private const ulong ODirectory = 0x10000;
    private const ulong ONoFollow = 0x20000;
    private const ulong OCloExec = 0x80000;
    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveNoSymlinks = 0x04;
    private const ulong ResolveBeneath = 0x08;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const ushort SIfMt = 0xF000;
    private const ushort SIfReg = 0x8000;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>struct statx up to stx_size; the rest is padding we never read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long syscall(long number, int dirFd, string path, OpenHow* how, nuint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirFd, string path, int flags, uint mask, Statx* buf);
}
