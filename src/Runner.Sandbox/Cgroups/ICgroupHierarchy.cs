namespace Runner.Sandbox.Cgroups;

/// <summary>
/// One cgroup hierarchy (v1: several controller mounts; v2: one unified tree) under which
/// Runner creates one child cgroup per box. The version is detected once, by
/// <see cref="CgroupHierarchy.Detect"/>; everything above this interface is version-blind.
/// </summary>
public interface ICgroupHierarchy
{
    /// <summary>1 or 2.</summary>
    int Version { get; }

    /// <summary>
    /// Creates (or, if a crashed run left one behind, empties and recreates) the box cgroup
    /// <paramref name="name"/> under the configured parent and writes its limits.
    /// Throws <see cref="CgroupUnavailableException"/> when that cannot be done; the message
    /// says how to delegate a writable cgroup.
    /// </summary>
    IBoxCgroup CreateBox(string name, CgroupLimits limits);

    /// <summary>Names of the slot box cgroups (<c>box-N</c>) that exist under the parent now.</summary>
    IReadOnlyList<string> ExistingBoxes();

    /// <summary>Kills what is in box cgroup <paramref name="name"/> and removes it; nothing if it does not exist.</summary>
    void RemoveBox(string name);

    /// <summary>
    /// Checks that a box cgroup can be created and limited here, without leaving one behind.
    /// Returns human-readable lines for <c>runner check</c>; throws
    /// <see cref="CgroupUnavailableException"/> when a run would fail.
    /// </summary>
    IReadOnlyList<string> Check();
}

/// <summary>The cgroup(s) of one box.</summary>
public interface IBoxCgroup : IDisposable
{
    /// <summary>
    /// Directory fd for <c>CLONE_INTO_CGROUP</c> (v2 only), or -1 when the launcher must
    /// call <see cref="AddProcess"/> after clone instead.
    /// </summary>
    int CloneIntoFd { get; }

    /// <summary>
    /// True when the box has a cpuset cgroup, so <see cref="SetLimits"/> can narrow its CPUs
    /// (created with <see cref="CgroupLimits.Cpuset"/> or <see cref="CgroupLimits.CpusetLater"/>).
    /// </summary>
    bool HasCpuset { get; }

    /// <summary>
    /// Writes new limits into the box, which may already hold processes (a warm box gets its
    /// program's limits only when the program is known). A null cpuset leaves the CPUs as they are.
    /// </summary>
    void SetLimits(CgroupLimits limits);

    /// <summary>Moves <paramref name="pid"/> into this box's cgroup(s) (every v1 controller).</summary>
    void AddProcess(int pid);

    /// <summary>
    /// Opens, for the box's init to move itself in, one write-only fd (CLOEXEC) per hierarchy
    /// on the box's v1 <c>tasks</c> file; the init writes "0" to each (see
    /// <see cref="V1.CgroupSelfAttach"/> for why that is fast where <see cref="AddProcess"/> from
    /// the parent is not). The caller closes them once they are passed on. Empty when that does
    /// not apply (v2: <see cref="CloneIntoFd"/>) or a file is not writable: then the parent
    /// calls <see cref="AddProcess"/>.
    /// </summary>
    int[] OpenSelfAttachFds();

    /// <summary>CPU time consumed by the whole box so far, in nanoseconds (cheap; polled).</summary>
    long ReadCpuNanoseconds();

    /// <summary>Accounting at the end of a run.</summary>
    CgroupUsage ReadUsage();

    /// <summary>
    /// Kills every process in the box (v2: <c>cgroup.kill</c> when present; otherwise
    /// freeze + SIGKILL each pid + thaw) and waits until the cgroup is empty.
    /// </summary>
    void KillAll();

    /// <summary>Kills what is left and removes the cgroup directories. Idempotent.</summary>
    new void Dispose();
}

/// <param name="MemoryBytes">Hard memory limit; swap is disabled (memsw / swap.max = 0).</param>
/// <param name="CpuQuotaMicroseconds">CPU bandwidth per period (null: unlimited).</param>
/// <param name="CpuPeriodMicroseconds">CFS period, default 100 ms.</param>
/// <param name="Pids">Max processes + threads.</param>
/// <param name="Cpuset">Optional cpuset.cpus string such as "0" or "0-1".</param>
public sealed record CgroupLimits(
    long MemoryBytes,
    int Pids,
    long? CpuQuotaMicroseconds = null,
    long CpuPeriodMicroseconds = 100_000,
    string? Cpuset = null)
{
    /// <summary>Create the cpuset cgroup (with all the parent's CPUs) even without a cpuset, so one can be set later.</summary>
    public bool CpusetLater { get; init; }
}

/// <param name="CpuUserNanoseconds">User CPU of all processes of the box.</param>
/// <param name="CpuSystemNanoseconds">System CPU of all processes of the box.</param>
/// <param name="CpuTotalNanoseconds">Total CPU (v1 cpuacct.usage; v2 cpu.stat usage_usec).</param>
/// <param name="MemoryPeakBytes">Peak memory charged to the cgroup, or null when the kernel keeps none.</param>
/// <param name="OomKilled">True when the kernel's OOM killer killed a process of this cgroup.</param>
/// <param name="PidsPeak">Peak number of tasks, or null when the kernel keeps none.</param>
public sealed record CgroupUsage(
    long CpuUserNanoseconds,
    long CpuSystemNanoseconds,
    long CpuTotalNanoseconds,
    long? MemoryPeakBytes,
    bool OomKilled,
    long? PidsPeak);

/// <summary>No writable cgroup: Runner refuses to run without limits (fail closed).</summary>
public sealed class CgroupUnavailableException(string message, Exception? inner = null)
    : Exception(message, inner);
