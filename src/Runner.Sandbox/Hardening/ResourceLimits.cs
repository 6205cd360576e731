using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Hardening;

/// <summary>Per-process rlimits. Box-wide CPU, memory and pids are the cgroup's job.</summary>
internal static unsafe class ResourceLimits
{
    public static void AddChildSteps(SyscallPlan plan, SandboxLimits limits)
    {
        // The box-wide CPU limit is the supervisor's (it polls the cgroup). RLIMIT_CPU adds a
        // per-process stop that the kernel enforces even when the supervisor is starved of CPU
        // on a loaded host: SIGXCPU at the limit (rounded up to whole seconds), SIGKILL a
        // second later for a program that ignores it.
        var seconds = (long)Math.Ceiling(limits.CpuTimeSeconds);
        Set(plan, Flags.RlimitCpu, "RLIMIT_CPU", seconds, seconds + 1);
        Set(plan, Flags.RlimitFsize, "RLIMIT_FSIZE", limits.FileSizeBytes);
        Set(plan, Flags.RlimitNofile, "RLIMIT_NOFILE", limits.OpenFiles);
        Set(plan, Flags.RlimitStack, "RLIMIT_STACK", limits.StackBytes ?? limits.MemoryBytes);
        Set(plan, Flags.RlimitCore, "RLIMIT_CORE", 0);
    }

    private static void Set(SyscallPlan plan, int resource, string name, long value, long? hard = null)
    {
        var rlimit = (long*)plan.Arena.Allocate(16);
        rlimit[0] = value;
        rlimit[1] = hard ?? value;
        plan.Add(LaunchStep.Rlimits, $"prlimit {name}={value}", Sys.Prlimit64, 0, resource, (long)rlimit, 0);
    }
}
