using Runner.Sandbox.Native;

namespace Runner.Sandbox.Plan;

/// <summary>
/// The memory every plan lives in: one memfd, mapped MAP_SHARED by this process and by
/// runner-launcher at the same address, so a plan's pointers mean the same in both and in every
/// box cloned from either (a shared mapping stays shared across clone). That is also how a box
/// reports back without a pipe: ops that write into plan memory (the CPU clock at execve) are
/// seen here. Handed out in 64 KiB blocks; pages the kernel gave once stay resident for reuse.
/// </summary>
internal static unsafe class PlanMemory
{
    public const int BlockSize = 64 * 1024;
    public const long Size = 256L << 20;
    private const int BlockCount = (int)(Size / BlockSize);
    // A quiet part of the address space, far from where the kernel puts heaps, libraries and
    // stacks, so runner-launcher can map the memfd at the same address (MAP_FIXED_NOREPLACE).
    private const long PreferredAddress = 0x2000_0000_0000;

    private static readonly Lock Gate = new();
    private static readonly bool[] Used = new bool[BlockCount];
    // Handed out before: may hold an old plan. A block never handed out is still the fresh
    // memfd's zeros, and clearing it would fault in all 16 of its pages for a plan that uses one
    // or two (a fifth of a one-shot `runner run`'s plan building, perf).
    private static readonly bool[] Touched = new bool[BlockCount];
    private static byte* _base;
    private static int _fd = -1;
    private static int _searchFrom;

    /// <summary>The memfd (CLOEXEC), for runner-launcher to map.</summary>
    public static int Fd
    {
        get
        {
            EnsureMapped();
            return _fd;
        }
    }

    public static long Address
    {
        get
        {
            EnsureMapped();
            return (long)_base;
        }
    }

    /// <summary>Zeroed memory of at least <paramref name="bytes"/>, in whole blocks.</summary>
    public static byte* Rent(int bytes, out int blocks)
    {
        EnsureMapped();
        blocks = (bytes + BlockSize - 1) / BlockSize;
        lock (Gate)
        {
            for (var n = 0; n < BlockCount; n++)
            {
                var start = (_searchFrom + n) % BlockCount;
                if (start + blocks > BlockCount) continue;
                var free = true;
                for (var i = start; i < start + blocks && free; i++) free = !Used[i];
                if (!free) continue;
                var p = _base + ((long)start * BlockSize);
                for (var i = start; i < start + blocks; i++)
                {
                    Used[i] = true;
                    if (Touched[i]) new Span<byte>(_base + ((long)i * BlockSize), BlockSize).Clear();
                    Touched[i] = true;
                }
                _searchFrom = start + blocks;
                return p;
            }
        }
        throw new IOException($"plan memory exhausted: {Size >> 20} MiB of launch plans in use at once");
    }

    public static void Return(byte* p, int blocks)
    {
        var start = (int)((p - _base) / BlockSize);
        lock (Gate)
        {
            for (var i = start; i < start + blocks; i++) Used[i] = false;
        }
    }

    private static void EnsureMapped()
    {
        if (_base != null) return;
        lock (Gate)
        {
            if (_base != null) return;
            var fd = Libc.memfd_create("runner-plans", Libc.MfdCloexec);
            if (fd < 0) throw new IOException($"memfd_create failed: {ErrnoName.Describe(Libc.Errno)}");
            if (Libc.ftruncate(fd, Size) < 0)
            {
                var errno = Libc.Errno;
                Libc.close(fd);
                throw new IOException($"ftruncate of the plan memory failed: {ErrnoName.Describe(errno)}");
            }
            var p = Libc.mmap((void*)PreferredAddress, (nuint)Size, Libc.ProtRead | Libc.ProtWrite, Libc.MapShared, fd, 0);
            if ((long)p == -1)
            {
                var errno = Libc.Errno;
                Libc.close(fd);
                throw new IOException($"mmap of the plan memory failed: {ErrnoName.Describe(errno)}");
            }
            _fd = fd;
            _base = (byte*)p;
        }
    }
}
