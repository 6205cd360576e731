using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Hardening;

/// <summary>
/// The child starts with every signal blocked (runner_clone masks them so the runtime's
/// handlers never run there) and with the runtime's dispositions, e.g. SIGPIPE ignored, which
/// would survive execve. Reset every disposition to default, then unblock.
/// </summary>
internal static unsafe class ChildSignals
{
    private const int SigKill = 9, SigStop = 19, LastSignal = 64;

    public static void AddChildSteps(SyscallPlan plan)
    {
        // struct kernel_sigaction: handler, flags, restorer, mask; all zero is SIG_DFL.
        var defaultAction = (long)plan.Arena.Allocate(32);
        var emptyMask = (long)plan.Arena.Allocate(8);
        for (var signal = 1; signal <= LastSignal; signal++)
        {
            if (signal is SigKill or SigStop) continue;
            plan.Add(LaunchStep.Signals, $"reset signal {signal}", Sys.RtSigaction, signal, defaultAction, 0, 8,
                flags: NativeLaunch.CheckNone);
        }
        plan.Add(LaunchStep.Signals, "unblock every signal", Sys.RtSigprocmask, Flags.SigSetMask, emptyMask, 0, 8);
    }
}
