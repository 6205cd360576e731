using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Tests.Plan;

/// <summary>The plan as data, without a box: what the child will run and how a failure is named.</summary>
public class SyscallPlanTests
{
    [Fact]
    public void Each_op_keeps_its_launch_step_and_label_so_a_child_failure_can_be_named()
    {
        using var plan = new SyscallPlan();
        plan.Add(LaunchStep.Hostname, "sethostname sandbox", Sys.SetHostname, 1, 7);
        plan.Add(LaunchStep.Chdir, "chdir /box", Sys.Chdir, 2);

        Assert.Equal(2, plan.Count);
        Assert.Equal((LaunchStep.Hostname, "sethostname sandbox"), plan.Describe(0));
        Assert.Equal((LaunchStep.Chdir, "chdir /box"), plan.Describe(1));
    }

    [Fact]
    public void An_op_index_past_the_plan_is_the_final_execve()
    {
        // The C interpreter reports index == count when the execve after the last op fails.
        using var plan = new SyscallPlan();
        plan.Add(LaunchStep.Chdir, "chdir /box", Sys.Chdir, 2);

        Assert.Equal((LaunchStep.Execve, "execve"), plan.Describe(1));
        Assert.Equal((LaunchStep.Execve, "execve"), plan.Describe(-1));
    }

    [Fact]
    public void The_native_copy_holds_every_argument_and_check_as_added()
    {
        using var plan = new SyscallPlan();
        plan.Add(LaunchStep.Stdio, "dup3 stdin", Sys.Dup3, 5, 0, 0, flags: NativeLaunch.CheckEqual, expect: 0);
        plan.Add(LaunchStep.Rlimits, "set RLIMIT_CORE", Sys.Prlimit64, 0, Flags.RlimitCore, 1234, 0);

        var ops = CompiledOp.All(plan);

        Assert.Equal(Sys.Dup3, ops[0].Nr);
        Assert.Equal([5L, 0, 0, 0, 0, 0], ops[0].Args);
        Assert.Equal(NativeLaunch.CheckEqual, ops[0].Flags);
        Assert.Equal(Sys.Prlimit64, ops[1].Nr);
        Assert.Equal([0L, Flags.RlimitCore, 1234, 0, 0, 0], ops[1].Args);
        Assert.Equal(NativeLaunch.CheckNonNegative, ops[1].Flags);
    }

    [Fact]
    public void The_fork_op_gives_the_program_its_own_16_byte_aligned_stack_and_belongs_to_the_reaper_step()
    {
        using var plan = new SyscallPlan();
        plan.AddFork();

        var fork = Assert.Single(CompiledOp.All(plan));
        Assert.Equal(NativeLaunch.OpFork, fork.Nr);
        Assert.Equal(LaunchStep.Reaper, fork.Step);
        Assert.NotEqual(0, fork.Args[0]);
        Assert.Equal(0, fork.Args[0] % 16);
        Assert.Equal(64 * 1024, fork.Args[1]);
    }

    [Fact]
    public unsafe void Sealing_copies_the_ops_once_and_passes_the_two_pipes()
    {
        using var plan = new SyscallPlan();
        plan.Add(LaunchStep.Chdir, "chdir /box", Sys.Chdir, 2);

        var first = plan.Seal(errorFd: 7, statusFd: 8);
        var second = plan.Seal(errorFd: 7, statusFd: 8);

        Assert.True(first.Ops == second.Ops);
        Assert.Equal(1, first.OpCount);
        Assert.Equal((7, 8), (first.ErrorFd, first.StatusFd));
    }
}
