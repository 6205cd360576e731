using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Hardening;

/// <summary>Per-process rlimits. Box-wide CPU, memory and pids are the cgroup's job.</summary>
internal static unsafe class ResourceLimits
{
    /// <summary>
    /// Fixed, whatever the launcher had: MSGQUEUE and MEMLOCK are Linux's defaults for a user,
    /// and 4096 queued signals is far more than a program queues.
    /// </summary>
    public const long SignalsPending = 4096, MessageQueueBytes = 819_200, LockedBytes = 8L << 20;

    public static void AddChildSteps(SyscallPlan plan, SandboxLimits limits)
    {
        // The box-wide CPU limit is the supervisor's (it polls the cgroup). RLIMIT_CPU is only a
        // per-process backstop a second above it, in case the supervisor is starved: set at the
        // limit itself, it would kill a child that used the whole budget alone, silently, before
        // the box as a whole reached it. SIGXCPU first, SIGKILL a second later if ignored.
        var seconds = (long)Math.Ceiling(limits.CpuTimeSeconds) + 1;
        Set(plan, Flags.RlimitCpu, "RLIMIT_CPU", seconds, seconds + 1);
        Set(plan, Flags.RlimitFsize, "RLIMIT_FSIZE", limits.FileSizeBytes);
        Set(plan, Flags.RlimitNofile, "RLIMIT_NOFILE", limits.OpenFiles);
        Set(plan, Flags.RlimitStack, "RLIMIT_STACK", limits.StackBytes ?? limits.MemoryBytes);
        Set(plan, Flags.RlimitCore, "RLIMIT_CORE", 0);
        // Whatever the launcher was given (a service unit's LimitRTPRIO, LimitMEMLOCK=infinity...)
        // must not reach the program. Queued signals and mqueue bytes are also per-user kernel
        // quotas: these cap the box itself, below its slot's share.
        // Never above the launcher's own hard limit: raising one needs CAP_SYS_RESOURCE in the
        // initial namespace, and a small host's SIGPENDING default (derived from its RAM) is
        // below 4096 (found by the cgroup v2 guest, which failed every launch with EPERM).
        Set(plan, Flags.RlimitSigpending, "RLIMIT_SIGPENDING", AtMostOwnHardLimit(Flags.RlimitSigpending, SignalsPending));
        Set(plan, Flags.RlimitMsgqueue, "RLIMIT_MSGQUEUE", AtMostOwnHardLimit(Flags.RlimitMsgqueue, MessageQueueBytes));
        Set(plan, Flags.RlimitMemlock, "RLIMIT_MEMLOCK", AtMostOwnHardLimit(Flags.RlimitMemlock, LockedBytes));
        Set(plan, Flags.RlimitRtprio, "RLIMIT_RTPRIO", 0);
        Set(plan, Flags.RlimitNice, "RLIMIT_NICE", 0);
    }

    /// <summary>The launcher's hard limit is read in the parent, before the clone.</summary>
    internal static long AtMostOwnHardLimit(int resource, long wanted)
    {
        var current = stackalloc long[2];
        if (Libc.syscall(Sys.Prlimit64, 0, resource, 0, (long)current) != 0) return wanted;
        // RLIM_INFINITY is all ones, which reads as -1 here.
        return current[1] < 0 ? wanted : Math.Min(wanted, current[1]);
    }

    private static void Set(SyscallPlan plan, int resource, string name, long value, long? hard = null)
    {
        var rlimit = (long*)plan.Arena.Allocate(16);
        rlimit[0] = value;
        rlimit[1] = hard ?? value;
        plan.Add(LaunchStep.Rlimits, $"prlimit {name}={value}", Sys.Prlimit64, 0, resource, (long)rlimit, 0);
    }
}
