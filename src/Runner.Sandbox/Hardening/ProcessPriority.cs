using Runner.Sandbox.Native;

namespace Runner.Sandbox.Hardening;

/// <summary>
/// Parent side, between clone and the go byte: the box must not inherit the launcher's
/// scheduling. A worker run with Nice=-5, a real-time policy or OOMScoreAdjust=-900 would
/// otherwise hand that to every untrusted program (with -1000 the OOM killer could never pick
/// one). The box's init gets nice 0, SCHED_OTHER, best-effort I/O and an OOM score adjustment of
/// at least <see cref="OomScoreAdj"/>, so under host memory pressure boxes go before the service.
/// </summary>
internal static class ProcessPriority
{
    public const int OomScoreAdj = 500;

    public static unsafe void ResetFromParent(int pid)
    {
        // Unprivileged, a launcher cannot go below its own nice value; the box then keeps it.
        Libc.setpriority(Libc.PrioProcess, (uint)pid, 0);
        var param = stackalloc int[1];
        if (Libc.syscall(Sys.SchedSetscheduler, pid, Libc.SchedOther, (long)param, 0) < 0)
            throw new IOException($"sched_setscheduler(SCHED_OTHER) failed: {ErrnoName.Describe(Libc.Errno)}");
        if (Libc.syscall(Sys.IoprioSet, Libc.IoprioWhoProcess, pid, Libc.IoprioClassBe << Libc.IoprioClassShift | 4, 0) < 0)
            throw new IOException($"ioprio_set(IOPRIO_CLASS_BE) failed: {ErrnoName.Describe(Libc.Errno)}");
        // Lowering it needs CAP_SYS_RESOURCE, which a root launcher may lack (some VMs and
        // containers drop it), so never ask for less than the launcher has: a launcher more
        // exposed to the OOM killer than 500 hands that on, never a protection.
        var score = Math.Max(OomScoreAdj, OwnOomScoreAdj());
        File.WriteAllText($"/proc/{pid}/oom_score_adj", score.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static int OwnOomScoreAdj() =>
        int.Parse(File.ReadAllText("/proc/self/oom_score_adj").Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
