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
    private Counters? _counters;
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

    // The counters opened (OpenCounters) already say which files this kernel has.
    internal bool HasPidsPeak => OpenedCounters().PidsPeak >= 0;

    internal bool HasSplitCpuUsage => OpenedCounters().User >= 0;

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

    /// <summary>
    /// Opens the usage counters once, so each later read is one pread(2) of an open fd: no path
    /// walk, FileStream or flock at the end of a run. Done when the box is created (for a warm box
    /// ahead, off the critical path); a counter this kernel lacks stays -1. Idempotent.
    /// </summary>
    internal void OpenCounters()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_counters is not null)
        {
            return;
        }

        var user = CgroupFile.OpenForReads(Path.Combine(_cpuacct, "cpuacct.usage_user"));
        _counters = new Counters(
            Usage: CgroupFile.OpenForReads(Path.Combine(_cpuacct, "cpuacct.usage")),
            User: user,
            System: user >= 0 ? CgroupFile.OpenForReads(Path.Combine(_cpuacct, "cpuacct.usage_sys")) : -1,
            // Older kernels split CPU time only in ticks.
            Stat: user < 0 ? CgroupFile.OpenForReads(Path.Combine(_cpuacct, "cpuacct.stat")) : -1,
            MemoryPeak: CgroupFile.OpenForReads(Path.Combine(_memory, "memory.max_usage_in_bytes")),
            MemswPeak: CgroupFile.OpenForReads(Path.Combine(_memory, "memory.memsw.max_usage_in_bytes")),
            TcpPeak: CgroupFile.OpenForReads(Path.Combine(_memory, "memory.kmem.tcp.max_usage_in_bytes")),
            OomControl: CgroupFile.OpenForReads(Path.Combine(_memory, "memory.oom_control")),
            PidsPeak: CgroupFile.OpenForReads(Path.Combine(_pids, "pids.peak")));
    }

    private Counters OpenedCounters()
    {
        OpenCounters();
        return _counters!;
    }

    public long ReadCpuNanoseconds() => CgroupFile.ReadLongAt(OpenedCounters().Usage, "cpuacct.usage");

    public CgroupUsage ReadUsage()
    {
        var c = OpenedCounters();
        long user, system;
        if (c.User >= 0)
        {
            user = CgroupFile.ReadLongAt(c.User, "cpuacct.usage_user");
            system = CgroupFile.ReadLongAt(c.System, "cpuacct.usage_sys");
        }
        else
        {
            user = (CgroupFile.ReadKeyedAt(c.Stat, "user"u8, "cpuacct.stat") ?? 0) * NanosecondsPerTick;
            system = (CgroupFile.ReadKeyedAt(c.Stat, "system"u8, "cpuacct.stat") ?? 0) * NanosecondsPerTick;
        }

        var total = CgroupFile.ReadLongAt(c.Usage, "cpuacct.usage");

        // With swap accounting, memsw peaks count what was swapped out too.
        var peak = CgroupFile.ReadLongAt(c.MemoryPeak, "memory.max_usage_in_bytes");
        if (c.MemswPeak >= 0)
        {
            peak = Math.Max(peak, CgroupFile.ReadLongAt(c.MemswPeak, "memory.memsw.max_usage_in_bytes"));
        }

        // Socket buffers have their own counter in v1 (see the TCP limit in CgroupV1Hierarchy).
        if (c.TcpPeak >= 0)
        {
            peak += CgroupFile.ReadLongAt(c.TcpPeak, "memory.kmem.tcp.max_usage_in_bytes");
        }

        var oomKills = CgroupFile.ReadKeyedAt(c.OomControl, "oom_kill"u8, "memory.oom_control") ?? 0;
        long? pidsPeak = c.PidsPeak >= 0 ? CgroupFile.ReadLongAt(c.PidsPeak, "pids.peak") : null;
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
        _counters?.Close();
        _counters = null;
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

    /// <summary>The usage files, held open; -1 for one this kernel lacks.</summary>
    private sealed record Counters(int Usage, int User, int System, int Stat, int MemoryPeak, int MemswPeak, int TcpPeak, int OomControl, int PidsPeak)
    {
        public void Close()
        {
            foreach (var fd in (int[])[Usage, User, System, Stat, MemoryPeak, MemswPeak, TcpPeak, OomControl, PidsPeak])
            {
                if (fd >= 0)
                {
                    _ = Libc.close(fd);
                }
            }
        }
    }
}
