using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Supervision;

/// <summary>
/// The CPU the box's own set-up used, so the program is not charged for it. The box's cgroup
/// counts everything its processes ran: the init's preparation (namespaces, credentials, mounts,
/// pivot_root) and the program's process before its execve (rlimits, capabilities, seccomp) as
/// well as the program, and the namespaces' teardown when the init exits. Two plan ops read the
/// process CPU clock (the same sum_exec_runtime the cgroup adds up): the init's right before it
/// forks the program's process (while the box is prepared), the program's right before its execve (before the seccomp filter when a
/// custom profile might refuse the call). They write into plan memory, which this process shares
/// with the box, so the parent reads them without another pipe. The cgroup is read when the init
/// reports the program reaped; the init waits for that before it exits. The result's CPU time is
/// that reading minus both clocks; the execve itself stays the program's, as outside a box.
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

    /// <summary>In the program's process, as late before execve as the seccomp profile allows.</summary>
    public void AddProgramReading(SyscallPlan plan) =>
        plan.Add(LaunchStep.Chdir, "read the program's CPU clock before execve", Sys.ClockGettime, Flags.ClockProcessCputimeId, (long)_program,
            flags: NativeLaunch.CheckNone);

    /// <summary>True once the program's process has read its clock, right before its execve.</summary>
    public bool ProgramReached => Read(_program) != 0;

    /// <summary>Nanoseconds of set-up reported so far (0 before the box has written them).</summary>
    public long Nanoseconds => Read(_init) + Read(_program);

    private static long Read(long* timespec) => (Volatile.Read(ref timespec[0]) * 1_000_000_000) + Volatile.Read(ref timespec[1]);

    /// <summary>
    /// The cgroup's usage less the set-up. Set-up is almost all system time (syscalls), so it
    /// comes off system time first; nothing goes below zero (on cgroup v1 the init's first
    /// microseconds ran before it was attached, so the clocks can exceed the cgroup's share).
    /// </summary>
    public CgroupUsage ExcludeFrom(CgroupUsage usage, long? cpuAtProgramExit)
    {
        // Teardown after the program was reaped: CPU of the cgroup past the reading at that moment.
        var teardown = cpuAtProgramExit is { } atExit ? Math.Max(0, usage.CpuTotalNanoseconds - atExit) : 0;
        var setup = Math.Min(Nanoseconds + teardown, usage.CpuTotalNanoseconds);
        var fromSystem = Math.Min(setup, usage.CpuSystemNanoseconds);
        var fromUser = Math.Min(setup - fromSystem, usage.CpuUserNanoseconds);
        return usage with
        {
            CpuTotalNanoseconds = usage.CpuTotalNanoseconds - setup,
            CpuSystemNanoseconds = usage.CpuSystemNanoseconds - fromSystem,
            CpuUserNanoseconds = usage.CpuUserNanoseconds - fromUser,
        };
    }
}
