using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Launch;

/// <summary>A prepared box of a <see cref="WarmPool"/>, with the warm slot and cgroup it holds.</summary>
/// <param name="limits">What its cgroup was created with (no cpuset).</param>
internal sealed class WarmBox(BoxSlot slot, IBoxCgroup cgroup, PreparedBox box, LauncherProcess launcher, CgroupLimits limits) : IDisposable
{
    private SyscallPlan? _runPlan;

    public PreparedBox Box => box;

    public CgroupLimits Limits => limits;

    /// <summary>Usable while its launcher lives and it still waits for a program.</summary>
    public bool IsUsable => launcher.IsAlive && box.IsUsable;

    /// <summary>The plan for the box's one program: it lives as long as the box, which reads it until its execve.</summary>
    public SyscallPlan AdoptRunPlan() => _runPlan ??= new SyscallPlan();

    public void Dispose()
    {
        box.Dispose();
        _runPlan?.Dispose();
        cgroup.Dispose();
        slot.Dispose();
    }
}
