namespace Runner.Sandbox.Tests.Box;

[Collection("Boxes")]
public class KernelCpuLimitTests
{
    [Fact]
    public void A_program_that_ignores_SIGXCPU_is_still_stopped_and_reported_as_a_time_limit()
    {
        // Ignoring SIGXCPU does not help: the supervisor stops the box at the limit, and the
        // per-process hard rlimit would stop it even if the supervisor could not.
        var r = BoxRunner.Python("""
            import signal
            signal.signal(signal.SIGXCPU, signal.SIG_IGN)
            while True: pass
            """, new SandboxLimits { CpuTimeSeconds = 1, WallTimeSeconds = 20 });
        Assert.Equal(SandboxStatus.TimeLimit, r.Status);
        Assert.InRange(r.CpuTime, 1.0, 2.1);
    }

    [Fact]
    public void The_per_process_CPU_rlimit_is_a_backstop_a_second_above_the_limit_with_a_hard_stop_after_it()
    {
        var r = BoxRunner.Sh("ulimit -St; ulimit -Ht", new SandboxLimits { CpuTimeSeconds = 1.5 });
        Assert.Equal(SandboxStatus.Ok, r.Status);
        Assert.Equal("3\n4\n", r.Stdout);
    }
}
