using System.Text;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Cgroups;

/// <summary>
/// Reads and writes of cgroup control files. Writes go straight to write(2) because the
/// kernel parses each write() as one value and reports rejection as that call's errno;
/// writes never create files, so a missing control file is an error, as on cgroupfs.
/// </summary>
internal static unsafe class CgroupFile
{
    /// <summary>Writes <paramref name="value"/> in one write(2); returns 0 or the errno.</summary>
    public static int TryWrite(string path, string value)
    {
        var fd = Libc.open(path, Libc.OWronly | Libc.OTrunc | Libc.OCloexec, 0);
        if (fd < 0)
        {
            return Libc.Errno;
        }

        try
        {
            var bytes = Encoding.ASCII.GetBytes(value);
            fixed (byte* p = bytes)
            {
                return Libc.write(fd, p, bytes.Length) == bytes.Length ? 0 : Libc.Errno;
            }
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    public static void Write(string path, string value)
    {
        var errno = TryWrite(path, value);
        if (errno != 0)
        {
            throw new IOException($"cannot write '{value}' to {path}: {ErrnoName.Describe(errno)}");
        }
    }

    public static string ReadText(string path) => File.ReadAllText(path);

    /// <summary>A file holding one number: one open, pread(2) into a stack buffer, close (no FileStream, no flock).</summary>
    public static long ReadLong(string path) => ReadLong(path, mayBeAbsent: false)!.Value;

    /// <summary>
    /// Like <see cref="ReadLong"/>, or null when the file does not exist (a counter this kernel
    /// lacks): the open answers both, so there is no stat of the file first.
    /// </summary>
    public static long? ReadLongIfPresent(string path) => ReadLong(path, mayBeAbsent: true);

    private static long? ReadLong(string path, bool mayBeAbsent)
    {
        var fd = OpenToRead(path, mayBeAbsent);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            return ReadLongAt(fd, path);
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    /// <summary>Value of the line "<paramref name="key"/> N" in a flat-keyed file, or null.</summary>
    public static long? ReadKeyed(string path, ReadOnlySpan<byte> key)
    {
        var fd = OpenToRead(path, mayBeAbsent: false);
        try
        {
            return ReadKeyedAt(fd, key, path);
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    /// <summary>
    /// Opens a control file to read it again and again with <see cref="ReadLongAt"/> or
    /// <see cref="ReadKeyedAt"/>: the fd, or -1 when the file does not exist (the kernel lacks that counter).
    /// </summary>
    public static int OpenForReads(string path) => Libc.open(path, Libc.ORdonly | Libc.OCloexec, 0);

    /// <summary>
    /// The number in a control file held open (<see cref="OpenForReads"/>). A cgroup file is a seq
    /// file: a read at offset 0 renders it anew, so one pread(2) gives the current value.
    /// </summary>
    /// <param name="path">For the message only.</param>
    public static long ReadLongAt(int fd, string path)
    {
        Span<byte> buffer = stackalloc byte[NumberBuffer];
        var n = PreadFromStart(fd, buffer);
        return n < 0 ? throw ReadFailed(path, -n) : ParseNumber(buffer[..n], path);
    }

    /// <summary>Like <see cref="ReadKeyed"/>, of a flat-keyed control file held open (<see cref="OpenForReads"/>).</summary>
    public static long? ReadKeyedAt(int fd, ReadOnlySpan<byte> key, string path)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var n = PreadFromStart(fd, buffer);
        return n < 0 ? throw ReadFailed(path, -n) : FindKeyed(buffer[..n], key);
    }

    /// <summary>The fd, or -1 when the file does not exist and <paramref name="mayBeAbsent"/>.</summary>
    private static int OpenToRead(string path, bool mayBeAbsent)
    {
        var fd = OpenForReads(path);
        if (fd >= 0)
        {
            return fd;
        }

        var errno = Libc.Errno;
        return mayBeAbsent && errno == Errno.ENOENT ? -1 : throw ReadFailed(path, errno);
    }

    private static IOException ReadFailed(string path, int errno) => new($"cannot read {path}: {ErrnoName.Describe(errno)}");

    private const int NumberBuffer = 64;

    private static long ParseNumber(ReadOnlySpan<byte> text, string path)
    {
        try
        {
            return ParseLong(text.Trim(" \n"u8));
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>pread(2) from offset 0 until EOF or a full buffer; the byte count or -errno.</summary>
    private static int PreadFromStart(int fd, Span<byte> buffer)
    {
        var total = 0;
        fixed (byte* b = buffer)
        {
            while (total < buffer.Length)
            {
                var n = Libc.pread(fd, b + total, buffer.Length - total, total);
                if (n < 0)
                {
                    return -Libc.Errno;
                }

                if (n == 0)
                {
                    break;
                }

                total += (int)n;
            }
        }

        return total;
    }

    public static List<int> ReadPids(string path)
    {
        var pids = new List<int>();
        try
        {
            foreach (var line in File.ReadAllLines(path))
            {
                if (int.TryParse(line, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // A cgroup removed under us holds no processes.
        }

        return pids;
    }

    public static byte[] NullTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    /// <summary>Reads a small file without allocating; returns the byte count or -errno.</summary>
    public static int ReadSmall(byte[] nullTerminatedPath, Span<byte> buffer)
    {
        int fd;
        fixed (byte* p = nullTerminatedPath)
        {
            fd = Libc.open(p, Libc.ORdonly | Libc.OCloexec, 0);
        }

        if (fd < 0)
        {
            return -Libc.Errno;
        }

        try
        {
            return PreadFromStart(fd, buffer);
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    /// <summary>Finds "key value" at the start of a line in a flat-keyed file.</summary>
    public static long? FindKeyed(ReadOnlySpan<byte> text, ReadOnlySpan<byte> key)
    {
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..end];
            if (line.Length > key.Length && line.StartsWith(key) && line[key.Length] == (byte)' ')
            {
                return ParseLong(line[(key.Length + 1)..].Trim((byte)' '));
            }

            text = end < 0 ? default : text[(end + 1)..];
        }

        return null;
    }

    private static long ParseLong(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                throw new FormatException($"not a number: '{Encoding.ASCII.GetString(digits)}'");
            }

            value = checked((value * 10) + (d - '0'));
        }

        return digits.IsEmpty ? throw new FormatException("empty number") : value;
    }
}
