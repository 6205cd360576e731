using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Launch;

/// <summary>A prepared box of a <see cref="WarmPool"/>, with the warm slot and cgroup it holds.</summary>
/// <param name="limits">What its cgroup was created with (no cpuset).</param>
/// <remarks>
/// What a run would otherwise make on its critical path is made here, on the pool's thread: the
/// run plan's memory (renting a block clears 64 KiB of shared memory, about 0.05 ms) and the
/// run's pipes.
/// </remarks>
internal sealed class WarmBox : IDisposable
{
    private readonly BoxSlot _slot;
    private readonly IBoxCgroup _cgroup;
    private readonly LauncherProcess _launcher;
    private readonly SyscallPlan _runPlan = new();
    private readonly FdSet _ahead = new();
    private RunPipes? _pipes;

    public WarmBox(BoxSlot slot, IBoxCgroup cgroup, PreparedBox box, LauncherProcess launcher, CgroupLimits limits)
    {
        (_slot, _cgroup, _launcher, Box, Limits) = (slot, cgroup, launcher, box, limits);
        _runPlan.Arena.Reserve();
        _pipes = RunPipes.Open(_ahead);
    }

    public PreparedBox Box { get; }

    public CgroupLimits Limits { get; }

    /// <summary>Usable while its launcher lives and it still waits for a program.</summary>
    public bool IsUsable => _launcher.IsAlive && Box.IsUsable;

    /// <summary>The plan for the box's one program: it lives as long as the box, which reads it until its execve.</summary>
    public SyscallPlan RunPlan => _runPlan;

    /// <summary>The run's pipes, moved into <paramref name="fds"/> (which then closes them); once only, null after.</summary>
    public RunPipes? TakePipes(FdSet fds)
    {
        if (_pipes is not { } pipes) return null;
        _pipes = null;
        _ahead.Release(pipes.All);
        fds.Adopt(pipes.All);
        return pipes;
    }

    public void Dispose()
    {
        Box.Dispose();
        _runPlan.Dispose();
        _ahead.Dispose();
        _cgroup.Dispose();
        _slot.Dispose();
    }
}
