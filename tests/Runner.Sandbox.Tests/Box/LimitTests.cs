namespace Runner.Sandbox.Tests.Box;

[Collection("Boxes")]
public class LimitTests
{
    [Fact]
    public void A_spinning_program_is_stopped_within_10_percent_of_its_CPU_limit()
    {
        // A generous wall limit: this measures CPU-time precision, not how busy the machine is.
        var r = BoxRunner.Sh("while :; do :; done", new SandboxLimits { CpuTimeSeconds = 1, WallTimeSeconds = 20 });
        Assert.Equal(SandboxStatus.TimeLimit, r.Status);
        Assert.InRange(r.CpuTime, 1.0, 1.1);
        Assert.Equal(9, r.Signal);
        Assert.Contains("CPU time limit of 1 s", r.Message);
    }

    [Fact]
    public void CPU_time_is_summed_over_every_process_of_the_box()
    {
        // The program itself only waits; three children spin. Only a box-wide sum reaches the
        // 1 s limit before the 10 s wall limit (each child alone would be stopped by nothing).
        var r = BoxRunner.Sh("for i in 1 2 3; do (while :; do :; done) & done; wait",
            new SandboxLimits { CpuTimeSeconds = 1, WallTimeSeconds = 10 });
        Assert.Equal(SandboxStatus.TimeLimit, r.Status);
        Assert.InRange(r.CpuTime, 1.0, 1.1);
    }

    [Fact]
    public void A_sleeping_program_hits_the_wall_time_limit()
    {
        var r = BoxRunner.Sh("sleep 30", new SandboxLimits { CpuTimeSeconds = 1, WallTimeSeconds = 0.5 });
        Assert.Equal(SandboxStatus.WallTimeLimit, r.Status);
        Assert.InRange(r.WallTime, 0.5, 0.7);
    }

    [Fact]
    public void The_wall_limit_holds_even_when_the_program_blocks_every_signal()
    {
        var r = BoxRunner.Python("""
            import signal, time
            signal.pthread_sigmask(signal.SIG_BLOCK, range(1, 65))
            for s in range(1, 32):
                try: signal.signal(s, signal.SIG_IGN)
                except (OSError, ValueError): pass
            time.sleep(30)
            """, new SandboxLimits { WallTimeSeconds = 0.7 });
        Assert.Equal(SandboxStatus.WallTimeLimit, r.Status);
        Assert.InRange(r.WallTime, 0.7, 1.0);
    }

    [Fact]
    public void Exceeding_the_memory_limit_is_an_OOM_kill_reported_as_memory_limit()
    {
        var r = BoxRunner.Python("b = bytearray(200 << 20); print(len(b))", new SandboxLimits { MemoryBytes = 64L << 20 });
        Assert.Equal(SandboxStatus.MemoryLimit, r.Status);
        Assert.True(r.OomKilled);
        Assert.Equal(9, r.Signal);
        Assert.InRange(r.MemoryPeak ?? 0, 60L << 20, 65L << 20);
    }

    [Fact]
    public void Memory_peak_is_reported_for_a_program_within_its_limit()
    {
        var r = BoxRunner.Python("b = bytearray(100 << 20); b[::4096] = b'x' * len(b[::4096]); print('ok')",
            new SandboxLimits { MemoryBytes = 256L << 20 });
        Assert.Equal(SandboxStatus.Ok, r.Status);
        Assert.False(r.OomKilled);
        Assert.InRange(r.MemoryPeak ?? 0, 100L << 20, 200L << 20);
    }

    [Fact]
    public void Output_beyond_the_cap_ends_the_run_with_output_limit_and_keeps_exactly_the_cap()
    {
        var r = BoxRunner.Sh("yes", new SandboxLimits { OutputBytes = 1 << 20 });
        Assert.Equal(SandboxStatus.OutputLimit, r.Status);
        Assert.True(r.StdoutTruncated);
        Assert.False(r.StderrTruncated);
        Assert.Equal(1 << 20, r.StdoutBytes.Length);
        Assert.Contains("stdout exceeded the output limit of 1MiB", r.Message);
    }

    [Fact]
    public void A_stderr_flood_is_capped_too()
    {
        var r = BoxRunner.Sh("yes >&2", new SandboxLimits { OutputBytes = 4096 });
        Assert.Equal(SandboxStatus.OutputLimit, r.Status);
        Assert.True(r.StderrTruncated);
        Assert.Equal(4096, r.Stderr.Length);
    }

    [Fact]
    public void A_fork_bomb_is_held_at_the_pids_limit_and_leaves_no_process_behind()
    {
        var marker = $"bomb{Random.Shared.Next(100_000, 999_999)}";
        var r = BoxRunner.Sh($"b() {{ b | b & }}; b 2>/dev/null; sleep 1; echo {marker}; ls /proc | grep -c '^[0-9]'",
            new SandboxLimits { Pids = 16, CpuTimeSeconds = 3, WallTimeSeconds = 3 });
        Assert.NotEqual(SandboxStatus.InternalError, r.Status);
        Assert.True(r.Stdout.Length == 0 || int.Parse(r.Stdout.Split('\n')[1]) <= 17, r.Stdout);
        Assert.Empty(BoxRunner.HostPidsWith(marker));
        Assert.Empty(BoxRunner.LeftoverCgroups());
    }

    [Fact]
    public void A_daemon_that_double_forks_and_calls_setsid_is_killed_when_the_program_ends()
    {
        var marker = $"{Random.Shared.Next(100_000, 999_999)}";
        var r = BoxRunner.Sh($"(setsid sh -c 'exec sleep 60.{marker}' &) ; echo started");
        Assert.Equal(SandboxStatus.Ok, r.Status);
        Assert.Equal("started\n", r.Stdout);
        Assert.Empty(BoxRunner.HostPidsWith($"sleep 60.{marker}"));
    }

    [Fact]
    public void Writing_past_the_file_size_limit_raises_SIGXFSZ()
    {
        var r = BoxRunner.Sh("head -c 2M /dev/zero > /box/big", new SandboxLimits { FileSizeBytes = 1 << 20 });
        Assert.Equal(SandboxStatus.RuntimeError, r.Status); // sh reports its child's SIGXFSZ as 128+25
        Assert.Equal(128 + 25, r.ExitCode);
        var direct = BoxRunner.Run(new SandboxSpec
        {
            Argv = ["/usr/bin/dd", "if=/dev/zero", "of=/box/big", "bs=1M", "count=2"],
            Limits = new SandboxLimits { FileSizeBytes = 1 << 20 },
        });
        Assert.Equal(SandboxStatus.Signaled, direct.Status);
        Assert.Equal(25, direct.Signal);
    }

    [Fact]
    public void Open_files_and_stack_size_are_limited_by_rlimits()
    {
        var r = BoxRunner.Sh("ulimit -n; ulimit -s", new SandboxLimits { OpenFiles = 32, StackBytes = 8L << 20 });
        Assert.Equal(SandboxStatus.Ok, r.Status);
        Assert.Equal("32\n8192\n", r.Stdout);
    }

    [Fact]
    public void A_tmpfs_cannot_grow_past_its_size()
    {
        var r = BoxRunner.Sh("head -c 8M /dev/zero > /tmp/fill; echo $?; du -k /tmp/fill | cut -f1",
            new SandboxLimits { TmpfsBytes = 4L << 20 });
        Assert.Equal(SandboxStatus.Ok, r.Status);
        Assert.Equal("1\n4096\n", r.Stdout);
    }

    [Fact]
    public void A_non_zero_exit_is_a_runtime_error_with_its_code()
    {
        var r = BoxRunner.Sh("echo out; echo err >&2; exit 3");
        Assert.Equal(SandboxStatus.RuntimeError, r.Status);
        Assert.Equal(3, r.ExitCode);
        Assert.Null(r.Signal);
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }
}
