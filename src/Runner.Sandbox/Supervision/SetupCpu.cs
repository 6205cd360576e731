using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Supervision;

/// <summary>
/// The CPU the box's own work used, so the program is not charged for it. The box's cgroup
/// counts everything its processes ran: the box's init (namespaces, credentials, mounts,
/// pivot_root, then reaping), the program's process before its execve (rlimits, capabilities,
/// seccomp), the program and whatever it started, and the namespaces' teardown when the init
/// exits. Each part is read off the process CPU clock (CLOCK_PROCESS_CPUTIME_ID: the same
/// sum_exec_runtime the cgroup adds up):
/// - the init's clock in its report, right before it says the program was reaped
///   (runner_launch.c), less its clock when it entered its cgroup (cgroup v1: after the go byte,
///   <see cref="PreparedBox.InitCpuBeforeCgroup"/>; v2: from clone, 0);
/// - the program's process (forked by the init while the box is prepared), right before its execve (before the seccomp filter when a custom
///   profile might refuse the call), written into plan memory this process shares with the box;
/// - the teardown: what the cgroup counted after its reading at the init's report (the init waits
///   for the parent's hang-up before it exits).
/// So cpu_time is the CPU of the program's processes from its execve on, the execve included, as
/// outside a box. A box whose init never reported (killed on a limit) falls back to the init's
/// clock right before it forked the program's process.
/// </summary>
internal sealed unsafe class SetupCpu
{
    private readonly long* _init;
    private readonly long* _program;

    /// <param name="initClock">Where the box's plan has the init write its clock (<see cref="AddInitReading"/>).</param>
    /// <param name="runPlan">The run plan, which gets the program's reading.</param>
    public SetupCpu(long* initClock, SyscallPlan runPlan)
    {
        _init = initClock;
        // struct timespec { long tv_sec; long tv_nsec; }, zero until the box writes it.
        _program = (long*)runPlan.Arena.Allocate(16);
    }

    /// <summary>
    /// In the init, right before the fork; returns where it writes. A filter or kernel that
    /// refuses it only means less is subtracted.
    /// </summary>
    public static long* AddInitReading(SyscallPlan plan)
    {
        var clock = (long*)plan.Arena.Allocate(16);
        plan.Add(LaunchStep.Reaper, "read the init's CPU clock", Sys.ClockGettime, Flags.ClockProcessCputimeId, (long)clock,
            flags: NativeLaunch.CheckNone);
        return clock;
    }

    /// <summary>In the init, once it is in its cgroup (cgroup v1: right after the go byte), into <paramref name="timespec"/>.</summary>
    public static void AddJoinedReading(SyscallPlan plan, long* timespec) =>
        plan.Add(LaunchStep.WaitGo, "read the init's CPU clock once in its cgroup", Sys.ClockGettime, Flags.ClockProcessCputimeId, (long)timespec,
            flags: NativeLaunch.CheckNone);

    /// <summary>In the program's process, as late before execve as the seccomp profile allows.</summary>
    public void AddProgramReading(SyscallPlan plan) =>
        plan.Add(LaunchStep.Chdir, "read the program's CPU clock before execve", Sys.ClockGettime, Flags.ClockProcessCputimeId, (long)_program,
            flags: NativeLaunch.CheckNone);

    /// <summary>True once the program's process has read its clock, right before its execve.</summary>
    public bool ProgramReached => Read(_program) != 0;

    /// <summary>Nanoseconds of set-up reported so far (0 before the box has written them).</summary>
    public long Nanoseconds => Read(_init) + Read(_program);

    /// <summary>A struct timespec the box wrote, in ns; 0 for none.</summary>
    internal static long Read(long* timespec) =>
        timespec == null ? 0 : (Volatile.Read(ref timespec[0]) * 1_000_000_000) + Volatile.Read(ref timespec[1]);

    /// <summary>
    /// The cgroup's usage less the box's share (<see cref="BoxShare"/>). The box's work is almost
    /// all system time (syscalls), so it comes off system time first; nothing goes below zero.
    /// </summary>
    /// <param name="initReport">The init's report (its CPU clock), when it made one.</param>
    /// <param name="initCpuBeforeCgroup">The init's CPU clock when it entered its cgroup.</param>
    public CgroupUsage ExcludeFrom(CgroupUsage usage, long? cpuAtProgramExit, NativeLaunch.RunnerExit? initReport = null, long initCpuBeforeCgroup = 0)
    {
        var share = BoxShare(usage.CpuTotalNanoseconds, cpuAtProgramExit, initReport?.InitCpuNanoseconds ?? 0, initCpuBeforeCgroup,
            Read(_init), Read(_program));
        var fromSystem = Math.Min(share, usage.CpuSystemNanoseconds);
        var fromUser = Math.Min(share - fromSystem, usage.CpuUserNanoseconds);
        return usage with
        {
            CpuTotalNanoseconds = usage.CpuTotalNanoseconds - share,
            CpuSystemNanoseconds = usage.CpuSystemNanoseconds - fromSystem,
            CpuUserNanoseconds = usage.CpuUserNanoseconds - fromUser,
        };
    }

    /// <summary>
    /// Nanoseconds of the cgroup's <paramref name="total"/> that were the box's, not the program's:
    /// the teardown after the reading at the init's report, the init's CPU while in its cgroup up to
    /// that report (or, with no report, up to its fork), and the program's process before execve.
    /// </summary>
    internal static long BoxShare(long total, long? cpuAtProgramExit, long initCpuAtReport, long initCpuBeforeCgroup,
        long initCpuAtFork, long programBeforeExec)
    {
        var teardown = cpuAtProgramExit is { } atExit ? Math.Max(0, total - atExit) : 0;
        var init = initCpuAtReport > 0 && cpuAtProgramExit is not null
            ? Math.Max(0, initCpuAtReport - initCpuBeforeCgroup)
            : initCpuAtFork;
        return Math.Min(init + programBeforeExec + teardown, total);
    }
}
