using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Cgroups.V1;

/// <summary>
/// On cgroup v1 the box's init moves itself into its cgroups: its first ops write "0" to the
/// box's <c>tasks</c> file in each hierarchy, through fds the parent opened
/// (<see cref="IBoxCgroup.OpenSelfAttachFds"/>).
/// Why not the parent writing the pid to <c>cgroup.procs</c>: that takes the global
/// <c>cgroup_threadgroup_rwsem</c> for writing (<c>cgroup_procs_write_start</c> in
/// https://github.com/torvalds/linux/blob/master/kernel/cgroup/cgroup.c). It is a per-CPU
/// rwsem, and its <c>percpu_down_write</c> first calls <c>rcu_sync_enter</c>, which waits a
/// whole RCU grace period (<c>synchronize_rcu</c>) whenever its rcu_sync has gone idle, i.e.
/// when no writer came in the last one or two grace periods
/// (https://github.com/torvalds/linux/blob/master/kernel/rcu/sync.c). On this VM (HZ=250) that
/// is 6-21 ms on almost every launch of a judge or service that launches every 50 ms or more,
/// all of it with <c>cgroup_mutex</c> held, and back-to-back benchmarks never see it. A thread
/// moving itself alone (pid 0, the per-thread <c>tasks</c> file) cannot exit or exec under the
/// kernel's hands, so the kernel skips that lock: the move takes microseconds, idle or not. The
/// <c>favordynmods</c> mount option would cure every writer, but it is the host's setting.
/// The init is one thread (a fresh clone), so moving that thread moves the whole process, and
/// everything it later forks is born inside. The kernel checks the file opener's credentials,
/// so this works before the id maps are written and whatever uid the init has. Measured with
/// 200 ms gaps (bench/cgroup_attach.c): 15.4 ms median for the parent's <c>cgroup.procs</c>
/// write, 0.024 ms for this.
/// </summary>
internal static class CgroupSelfAttach
{
    /// <summary>
    /// Ops for the box's init, before anything that must be limited or accounted and before
    /// <c>unshare(CLONE_NEWCGROUP)</c>; <paramref name="firstFd"/>.. hold the <c>tasks</c> fds.
    /// </summary>
    public static void AddChildSteps(SyscallPlan plan, int firstFd, int count)
    {
        var zero = plan.Arena.String("0");
        for (var i = 0; i < count; i++)
        {
            plan.Add(LaunchStep.CgroupAttach, "move into the box cgroup (write 0 to its tasks file)", Sys.Write, firstFd + i, zero, 1,
                flags: NativeLaunch.CheckEqual, expect: 1);
        }
    }
}
