using System.Runtime.InteropServices;
using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Tests.Plan;

/// <summary>One op of a compiled <see cref="SyscallPlan"/> as a test reads it: label, step and the raw syscall.</summary>
internal sealed record CompiledOp(LaunchStep Step, string What, long Nr, long[] Args, long Flags, long Expect)
{
    /// <summary>The NUL-terminated string an argument points at (paths, fs types, mount data).</summary>
    public string? StringArg(int index) => Args[index] == 0 ? null : Marshal.PtrToStringUTF8((nint)Args[index]);

    /// <summary>Every op of <paramref name="plan"/>, read back from the native copy the child would get.</summary>
    public static unsafe List<CompiledOp> All(SyscallPlan plan)
    {
        var native = plan.Seal(errorFd: -1, statusFd: -1);
        var ops = new List<CompiledOp>();
        for (var i = 0; i < plan.Count; i++)
        {
            var op = native.Ops[i];
            var (step, what) = plan.Describe(i);
            ops.Add(new CompiledOp(step, what, op.Nr, [op.A0, op.A1, op.A2, op.A3, op.A4, op.A5], op.Flags, op.Expect));
        }
        return ops;
    }

    /// <summary>A result check (the low two bits hold one of them) or an option bit set on this op.</summary>
    public bool Checks(long flag) => flag < NativeLaunch.StoreResult ? (Flags & 3) == flag : (Flags & flag) != 0;
}
