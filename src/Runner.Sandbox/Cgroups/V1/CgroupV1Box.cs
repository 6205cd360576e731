using System.Globalization;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Cgroups.V1;

/// <summary>One box under cgroup v1: a directory in each controller mount.</summary>
internal sealed class CgroupV1Box : IBoxCgroup
{
    // cpuacct.stat counts in USER_HZ ticks, which the kernel ABI fixes at 100 per second.
    private const long NanosecondsPerTick = 10_000_000;

    private readonly CgroupSystemCalls _sys;
    private readonly string _memory;
    private readonly string _cpuacct;
    private readonly string _pids;
    private readonly byte[] _cpuUsagePath;
    private readonly Action<CgroupLimits> _writeLimits;
    private bool _disposed;

    public CgroupV1Box(CgroupSystemCalls sys, IReadOnlyDictionary<string, string> controllerDirs, Action<CgroupLimits> writeLimits)
    {
        _sys = sys;
        _writeLimits = writeLimits;
        HasCpuset = controllerDirs.ContainsKey("cpuset");
        _memory = controllerDirs["memory"];
        _cpuacct = controllerDirs["cpuacct"];
        _pids = controllerDirs["pids"];
        Directories = [.. controllerDirs.Values.Distinct()];
        _cpuUsagePath = CgroupFile.NullTerminated(Path.Combine(_cpuacct, "cpuacct.usage"));
    }

    /// <summary>Distinct directories, one per mount (co-mounted controllers share one).</summary>
    public IReadOnlyList<string> Directories { get; }

    public int CloneIntoFd => -1;

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

    internal bool HasPidsPeak => File.Exists(Path.Combine(_pids, "pids.peak"));

    internal bool HasSplitCpuUsage => File.Exists(Path.Combine(_cpuacct, "cpuacct.usage_user"));

    public void AddProcess(int pid)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var text = pid.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directories)
        {
            CgroupFile.Write(Path.Combine(dir, "cgroup.procs"), text);
        }
    }

    public int[] OpenSelfAttachFds()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var fds = new int[Directories.Count];
        for (var i = 0; i < fds.Length; i++)
        {
            fds[i] = Libc.open(Path.Combine(Directories[i], "tasks"), Libc.OWronly | Libc.OCloexec, 0);
            if (fds[i] < 0)
            {
                for (var j = 0; j < i; j++)
                {
                    _ = Libc.close(fds[j]);
                }

                return [];
            }
        }

        return fds;
    }

    public long ReadCpuNanoseconds()
    {
        Span<byte> buffer = stackalloc byte[32];
        var n = CgroupFile.ReadSmall(_cpuUsagePath, buffer);
        if (n <= 0)
        {
            throw new IOException($"cannot read {_cpuacct}/cpuacct.usage: {ErrnoName.Describe(-n)}");
        }

        var text = buffer[..n];
        var end = text.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        long value = 0;
        foreach (var d in end < 0 ? text : text[..end])
        {
            value = (value * 10) + (d - '0');
        }

        return value;
    }

    public CgroupUsage ReadUsage()
    {
        long user, system;
        if (HasSplitCpuUsage)
        {
            user = CgroupFile.ReadLong(Path.Combine(_cpuacct, "cpuacct.usage_user"));
            system = CgroupFile.ReadLong(Path.Combine(_cpuacct, "cpuacct.usage_sys"));
        }
        else
        {
            var stat = Path.Combine(_cpuacct, "cpuacct.stat");
            user = (CgroupFile.ReadKeyed(stat, "user") ?? 0) * NanosecondsPerTick;
            system = (CgroupFile.ReadKeyed(stat, "system") ?? 0) * NanosecondsPerTick;
        }

        var total = ReadCpuNanoseconds();

        // With swap accounting, memsw peaks count what was swapped out too.
        var peak = CgroupFile.ReadLong(Path.Combine(_memory, "memory.max_usage_in_bytes"));
        var memswPeak = Path.Combine(_memory, "memory.memsw.max_usage_in_bytes");
        if (File.Exists(memswPeak))
        {
            peak = Math.Max(peak, CgroupFile.ReadLong(memswPeak));
        }

        // Socket buffers have their own counter in v1 (see the TCP limit in CgroupV1Hierarchy).
        var tcpPeak = Path.Combine(_memory, "memory.kmem.tcp.max_usage_in_bytes");
        if (File.Exists(tcpPeak))
        {
            peak += CgroupFile.ReadLong(tcpPeak);
        }

        var oomKills = CgroupFile.ReadKeyed(Path.Combine(_memory, "memory.oom_control"), "oom_kill") ?? 0;
        long? pidsPeak = HasPidsPeak ? CgroupFile.ReadLong(Path.Combine(_pids, "pids.peak")) : null;
        return new CgroupUsage(user, system, total, peak, oomKills > 0, pidsPeak);
    }

    public void KillAll()
    {
        var procs = Directories.Select(d => Path.Combine(d, "cgroup.procs")).Where(File.Exists).ToList();
        if (!CgroupTree.KillUntilEmpty(_sys, procs, CgroupTree.EmptyTimeout))
        {
            throw new IOException($"processes of box {Path.GetFileName(_pids)} survive SIGKILL: "
                + string.Join(' ', procs.SelectMany(CgroupFile.ReadPids).Distinct()));
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        List<Exception>? errors = null;
        foreach (var dir in Directories)
        {
            try
            {
                CgroupTree.Remove(_sys, dir);
            }
            catch (IOException e)
            {
                (errors ??= []).Add(e);
            }
        }

        if (errors is not null)
        {
            _disposed = false;
            throw new AggregateException("cannot remove the box cgroup", errors);
        }
    }
}
