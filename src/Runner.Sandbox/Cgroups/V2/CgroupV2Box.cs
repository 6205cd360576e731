using System.Diagnostics;
using System.Globalization;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Cgroups.V2;

/// <summary>One box under cgroup v2: a single directory, also held open for CLONE_INTO_CGROUP.</summary>
internal sealed class CgroupV2Box : IBoxCgroup
{
    private static readonly byte[] UsageKey = "usage_usec"u8.ToArray();

    private readonly CgroupSystemCalls _sys;
    private readonly byte[] _cpuStatPath;
    private readonly Action<CgroupLimits> _writeLimits;
    private int _fd;
    private bool _disposed;

    public CgroupV2Box(CgroupSystemCalls sys, string directory, Action<CgroupLimits> writeLimits, bool hasCpuset)
    {
        _sys = sys;
        _writeLimits = writeLimits;
        HasCpuset = hasCpuset;
        Directory = directory;
        _cpuStatPath = CgroupFile.NullTerminated(Path.Combine(directory, "cpu.stat"));
        _fd = Libc.open(directory, Libc.ODirectory | Libc.OCloexec, 0);
        if (_fd < 0)
        {
            throw new IOException($"cannot open {directory}: {ErrnoName.Describe(Libc.Errno)}");
        }
    }

    public string Directory { get; }

    public int CloneIntoFd => _fd;

    public bool HasCpuset { get; }

    public void SetLimits(CgroupLimits limits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (limits.Cpuset is not null && !HasCpuset)
        {
            throw new InvalidOperationException("this box was made without a cpuset cgroup");
        }

        _writeLimits(limits);
    }

    internal bool HasMemoryPeak => File.Exists(Path.Combine(Directory, "memory.peak"));

    internal bool HasPidsPeak => File.Exists(Path.Combine(Directory, "pids.peak"));

    internal bool HasKill => File.Exists(Path.Combine(Directory, "cgroup.kill"));

    public void AddProcess(int pid)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CgroupFile.Write(Path.Combine(Directory, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>None: a v2 box is entered at clone (CLONE_INTO_CGROUP).</summary>
    public int[] OpenSelfAttachFds() => [];

    public long ReadCpuNanoseconds()
    {
        Span<byte> buffer = stackalloc byte[1024];
        return (CgroupFile.FindKeyed(ReadCpuStat(buffer), UsageKey) ?? 0) * 1000;
    }

    /// <summary>cpu.stat, read once (open, read, close) for all the keys a caller wants from it.</summary>
    private ReadOnlySpan<byte> ReadCpuStat(Span<byte> buffer)
    {
        var n = CgroupFile.ReadSmall(_cpuStatPath, buffer);
        if (n < 0)
        {
            throw new IOException($"cannot read {Directory}/cpu.stat: {ErrnoName.Describe(-n)}");
        }

        return buffer[..n];
    }

    public CgroupUsage ReadUsage()
    {
        Span<byte> buffer = stackalloc byte[1024];
        var stat = ReadCpuStat(buffer);
        var user = (CgroupFile.FindKeyed(stat, "user_usec"u8) ?? 0) * 1000;
        var system = (CgroupFile.FindKeyed(stat, "system_usec"u8) ?? 0) * 1000;
        var total = (CgroupFile.FindKeyed(stat, UsageKey) ?? 0) * 1000;

        // Null on kernels without the counter (memory.peak < 5.19, pids.peak < 6.1).
        var peak = CgroupFile.ReadLongIfPresent(Path.Combine(Directory, "memory.peak"));

        // memory.events (not .local) also counts OOM kills in cgroups the box may have created.
        var oomKills = CgroupFile.ReadKeyed(Path.Combine(Directory, "memory.events"), "oom_kill"u8) ?? 0;
        var pidsPeak = CgroupFile.ReadLongIfPresent(Path.Combine(Directory, "pids.peak"));
        return new CgroupUsage(user, system, total, peak, oomKills > 0, pidsPeak);
    }

    public void KillAll()
    {
        var procs = Path.Combine(Directory, "cgroup.procs");
        if (HasKill)
        {
            CgroupFile.Write(Path.Combine(Directory, "cgroup.kill"), "1");
        }
        else
        {
            // Frozen processes cannot fork, so one pass over cgroup.procs catches them all;
            // SIGKILL still takes effect on a frozen process.
            var freeze = Path.Combine(Directory, "cgroup.freeze");
            var canFreeze = File.Exists(freeze);
            if (canFreeze)
            {
                CgroupFile.Write(freeze, "1");
            }

            try
            {
                _ = _sys.KillListedProcesses(procs);
            }
            finally
            {
                if (canFreeze)
                {
                    CgroupFile.Write(freeze, "0");
                }
            }
        }

        if (!WaitUntilEmpty() && !CgroupTree.KillUntilEmpty(_sys, [procs], CgroupTree.EmptyTimeout))
        {
            throw new IOException($"processes of box {Directory} survive SIGKILL: {string.Join(' ', CgroupFile.ReadPids(procs))}");
        }
    }

    private bool WaitUntilEmpty()
    {
        var events = Path.Combine(Directory, "cgroup.events");
        var procs = Path.Combine(Directory, "cgroup.procs");
        var clock = Stopwatch.StartNew();
        var delay = 1;
        while (true)
        {
            var empty = File.Exists(events)
                ? CgroupFile.ReadKeyed(events, "populated"u8) == 0
                : CgroupFile.ReadPids(procs).Count == 0;
            if (empty)
            {
                return true;
            }

            if (clock.Elapsed > CgroupTree.EmptyTimeout)
            {
                return false;
            }

            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 20);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (_fd >= 0)
        {
            _ = Libc.close(_fd);
            _fd = -1;
        }

        if (System.IO.Directory.Exists(Directory))
        {
            KillAll();
            CgroupTree.Remove(_sys, Directory);
        }

        _disposed = true;
    }
}
