using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Plan;

/// <summary>
/// The child's whole life from clone to execve, as data: each op is one raw syscall and the
/// <see cref="LaunchStep"/> it belongs to, so a failure report {op index, errno} from the
/// child can be turned into "step X failed with errno Y".
/// </summary>
internal sealed unsafe class SyscallPlan : IDisposable
{
    private readonly List<NativeLaunch.RunnerOp> _ops = [];
    private readonly List<(LaunchStep Step, string What)> _labels = [];
    private NativeLaunch.RunnerOp* _native;
    private NativeLaunch.RunnerPlan* _sealed;

    public NativeArena Arena { get; } = new();

    public int Count => _ops.Count;

    public void Add(LaunchStep step, string what, long nr, long a0 = 0, long a1 = 0, long a2 = 0,
        long a3 = 0, long a4 = 0, long a5 = 0, long flags = NativeLaunch.CheckNonNegative, long expect = 0)
    {
        _ops.Add(new NativeLaunch.RunnerOp
        {
            Nr = nr,
            A0 = a0,
            A1 = a1,
            A2 = a2,
            A3 = a3,
            A4 = a4,
            A5 = a5,
            Expect = expect,
            Flags = flags,
        });
        _labels.Add((step, what));
    }

    /// <summary>pid 1 forks here: it stays behind as the reaper, the program runs the rest.</summary>
    public void AddFork()
    {
        const int stackSize = 64 * 1024;
        Add(LaunchStep.Reaper, "fork the program from the box's init", NativeLaunch.OpFork, (long)Arena.Allocate(stackSize, 16), stackSize);
    }

    /// <summary>
    /// The box's init blocks here on <paramref name="socketFd"/> until the parent hands it the
    /// plan to run next (a warm box waits here; see runner_launch.c).
    /// </summary>
    public void AddReceive(LaunchStep step, int socketFd) =>
        Add(step, "receive the run plan", NativeLaunch.OpReceive, socketFd);

    public (LaunchStep Step, string What) Describe(int opIndex) =>
        opIndex >= 0 && opIndex < _labels.Count ? _labels[opIndex] : (LaunchStep.Execve, "execve");

    /// <summary>Copies the ops into native memory, once, right before clone.</summary>
    public NativeLaunch.RunnerPlan Seal(int errorFd, int statusFd)
    {
        if (_native == null)
        {
            _native = (NativeLaunch.RunnerOp*)Arena.Allocate(_ops.Count * sizeof(NativeLaunch.RunnerOp));
            for (var i = 0; i < _ops.Count; i++) _native[i] = _ops[i];
        }
        return new NativeLaunch.RunnerPlan { Ops = _native, OpCount = _ops.Count, ErrorFd = errorFd, StatusFd = statusFd };
    }

    /// <summary>
    /// <see cref="Seal"/>, with the plan struct itself in plan memory too, for a box that gets
    /// the plan by address (from runner-launcher, or in a handoff).
    /// </summary>
    public NativeLaunch.RunnerPlan* SealInPlace(int errorFd, int statusFd)
    {
        if (_sealed == null)
        {
            _sealed = Arena.Allocate<NativeLaunch.RunnerPlan>();
            *_sealed = Seal(errorFd, statusFd);
        }
        return _sealed;
    }

    public void Dispose() => Arena.Dispose();
}
