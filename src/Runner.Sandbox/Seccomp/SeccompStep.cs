using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Seccomp;

internal static unsafe class SeccompStep
{
    /// <summary>
    /// NO_NEW_PRIVS first (setuid binaries gain nothing, and it lets an unprivileged task load a
    /// filter), then the filter as the very last step before execve.
    /// </summary>
    public static void AddChildSteps(SyscallPlan plan, byte[]? bpf)
    {
        plan.Add(LaunchStep.NoNewPrivs, "prctl(PR_SET_NO_NEW_PRIVS)", Sys.Prctl, Flags.PrSetNoNewPrivs, 1, 0, 0, 0);
        if (bpf is null) return;
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
        var program = plan.Arena.Allocate(16);
        *(ushort*)program = (ushort)(bpf.Length / 8);
        *(long*)(program + 8) = plan.Arena.Bytes(bpf);
        plan.Add(LaunchStep.SeccompLoad, "seccomp(SECCOMP_SET_MODE_FILTER)", Sys.Seccomp, Flags.SeccompSetModeFilter, 0, (long)program);
    }
}
