using Runner.Sandbox.Tests.Box;

namespace Runner.Sandbox.Tests.Launch;

/// <summary>
/// The warm pool on real namespaces and cgroups: boxes prepared ahead by a runner-launcher of
/// the pool's own, each serving one program.
/// </summary>
[Collection("Boxes")]
public class WarmPoolTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private static WarmPool StartPool(int size)
    {
        var pool = new WarmPool(BoxRunner.Options, size);
        Assert.True(pool.WaitUntilReady(size, ReadyTimeout), $"the pool did not fill: {pool.LastError}");
        return pool;
    }

    private static SandboxResult RunWarm(WarmPool pool, SandboxSpec spec)
    {
        Assert.True(pool.WaitUntilReady(1, ReadyTimeout), $"no warm box: {pool.LastError}");
        var warmBefore = pool.WarmRuns;
        var r = pool.Run(spec);
        Assert.Equal(warmBefore + 1, pool.WarmRuns);
        return r;
    }

    private static bool Alive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/status").Contains("(zombie)");
        }
        catch (IOException)
        {
            // Gone, or going between the open and the read (ESRCH).
            return false;
        }
    }

    [Fact]
    public void A_warm_box_never_serves_two_programs()
    {
        using var pool = StartPool(1);
        var inits = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(pool.WaitUntilReady(1, ReadyTimeout), pool.LastError);
            var init = Assert.Single(pool.ReadyPids());
            Assert.DoesNotContain(init, inits);
            inits.Add(init);
            // Each program leaves a mark in its box's /tmp; a box that served twice would show it.
            var r = RunWarm(pool, new SandboxSpec { Argv = ["/bin/sh", "-c", "test ! -e /tmp/used && touch /tmp/used && echo fresh"] });
            Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
            Assert.Equal("fresh\n", r.Stdout);
            // The box is torn down after the result is back, and then it is gone for good.
            BoxRunner.WaitFor(() => Alive(init), alive => !alive, TimeSpan.FromSeconds(5), $"the box's init {init} to exit after its program");
        }
        Assert.Equal(4, inits.Distinct().Count());
    }

    [Fact]
    public void Each_warm_program_gets_the_pipes_made_ahead_for_its_own_box_and_its_usage_read_before_the_teardown()
    {
        using var pool = StartPool(1);
        for (var i = 0; i < 3; i++)
        {
            var r = RunWarm(pool, new SandboxSpec { Argv = ["/bin/sh", "-c", $"echo out{i}; echo err{i} >&2; exit {i + 3}"] });
            Assert.True(r.Status == SandboxStatus.RuntimeError, r.Message + r.Stderr);
            Assert.Equal(i + 3, r.ExitCode);
            Assert.Equal($"out{i}\n", r.Stdout);
            Assert.Equal($"err{i}\n", r.Stderr);
            // Read while the init still waits for its hang-up: a shell's CPU, not a namespace teardown's.
            Assert.InRange(r.CpuTime, 1e-6, 0.05);
            Assert.InRange(r.MemoryPeak ?? 0, 1, 64L << 20);
        }
    }

    [Fact]
    public void The_moment_of_a_warm_program_s_execve_comes_from_its_box_between_the_call_and_the_result()
    {
        using var pool = StartPool(1);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var r = RunWarm(pool, new SandboxSpec { Argv = ["/bin/sh", "-c", "sleep 0.05"] });
        var end = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
        // The box's init stamps it when the program's execve let go of its memory; the program
        // then ran 50 ms, so the stamp is well before the result.
        Assert.InRange(r.ExecTimestamp, start, end);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(r.ExecTimestamp, end) >= TimeSpan.FromMilliseconds(45));

        var failed = RunWarm(pool, new SandboxSpec { Argv = ["/no/such/program"] });
        Assert.Equal(SandboxStatus.InternalError, failed.Status);
        Assert.Equal(0, failed.ExecTimestamp);
    }

    [Fact]
    public void A_pool_told_how_many_programs_are_left_prepares_no_box_beyond_the_last()
    {
        using var pool = StartPool(1);
        pool.Expect(2);
        for (var i = 0; i < 2; i++)
        {
            var r = RunWarm(pool, new SandboxSpec { Argv = ["/bin/true"] });
            Assert.True(r.Status == SandboxStatus.Ok, r.Message);
        }
        Thread.Sleep(500);
        Assert.Empty(pool.ReadyPids());
        Assert.True(pool.WaitUntilReady(1, TimeSpan.Zero), "nothing is to come, so there is nothing to wait for");

        // More than announced still runs, in a box made for it then.
        var extra = pool.Run(new SandboxSpec { Argv = ["/bin/sh", "-c", "echo extra"] });
        Assert.True(extra.Status == SandboxStatus.Ok, extra.Message);
        Assert.Equal("extra\n", extra.Stdout);
        Assert.Equal(2, pool.WarmRuns);

        pool.Expect(1);
        Assert.True(pool.WaitUntilReady(1, ReadyTimeout), pool.LastError);
        Assert.Single(pool.ReadyPids());
    }

    [Fact]
    public void A_box_is_ready_only_once_it_is_built_and_its_program_s_process_waits_for_the_plan()
    {
        using var pool = StartPool(1);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(pool.WaitUntilReady(1, ReadyTimeout), pool.LastError);
            var init = Assert.Single(pool.ReadyPids());
            // The init forks the program's process as the last step of the box's set-up.
            var children = File.ReadAllText($"/proc/{init}/task/{init}/children").Trim();
            Assert.True(children.Length > 0, $"box {i}: ready before its init forked the program's process");
            var r = RunWarm(pool, new SandboxSpec { Argv = ["/bin/true"] });
            Assert.True(r.Status == SandboxStatus.Ok, r.Message);
        }
    }

    [Fact]
    public void A_run_that_comes_while_the_pool_prepares_its_box_waits_for_that_box_rather_than_going_cold()
    {
        using var pool = StartPool(1);
        for (var i = 0; i < 6; i++)
        {
            // No wait for a ready box: each run comes while the pool is still preparing the next.
            var r = pool.Run(new SandboxSpec { Argv = ["/bin/true"] });
            Assert.True(r.Status == SandboxStatus.Ok, r.Message);
        }
        Assert.Equal(6, pool.WarmRuns);
        Assert.Equal(0, pool.ColdRuns);
    }

    [Fact]
    public async Task While_a_program_runs_the_pool_builds_the_box_for_the_next_one()
    {
        // The refill holds off while a run launches (about a millisecond), never for the whole run.
        using var pool = StartPool(1);
        var first = Assert.Single(pool.ReadyPids());
        var running = Task.Factory.StartNew(() => pool.Run(new SandboxSpec { Argv = ["/bin/sleep", "2"] }),
            TaskCreationOptions.LongRunning);
        BoxRunner.WaitFor(() => pool.ReadyPids(), pids => pids.Count == 1 && pids[0] != first, TimeSpan.FromSeconds(1.5),
            $"a box other than the program's to be ready while it runs ({pool.LastError})");
        Assert.False(running.IsCompleted, "the program ended before its successor's box was ready");
        Assert.Equal(SandboxStatus.Ok, (await running).Status);
    }

    [Fact]
    public void Memory_pids_time_and_cpuset_limits_given_at_run_time_hold_in_a_warm_box()
    {
        using var pool = StartPool(1);

        // The box was prepared with the default 256 MiB; this run asks for 32 MiB and allocates 100.
        var memory = RunWarm(pool, new SandboxSpec
        {
            Argv = ["python3", "-c", "b = bytearray(100 << 20); print(len(b))"],
            Limits = new SandboxLimits { MemoryBytes = 32L << 20 },
        });
        Assert.True(memory.Status == SandboxStatus.MemoryLimit, memory.Message + memory.Stderr);

        // And a raise above the preparation's limit is honoured.
        var raised = RunWarm(pool, new SandboxSpec
        {
            Argv = ["python3", "-c", "b = bytearray(150 << 20); print(len(b))"],
            Limits = new SandboxLimits { MemoryBytes = 400L << 20 },
        });
        Assert.True(raised.Status == SandboxStatus.Ok, raised.Message + raised.Stderr);

        // pids.max is the program's 4 (+1 for the box's init): three forks succeed, then EAGAIN.
        var pids = RunWarm(pool, new SandboxSpec
        {
            Argv = ["python3", "-c", """
                import os, time
                n = 0
                for i in range(10):
                    try:
                        pid = os.fork()
                    except OSError:
                        break
                    if pid == 0:
                        time.sleep(2)
                        os._exit(0)
                    n += 1
                print(n)
                """],
            Limits = new SandboxLimits { Pids = 4, WallTimeSeconds = 10 },
        });
        Assert.True(pids.Status == SandboxStatus.Ok, pids.Message + pids.Stderr);
        Assert.Equal("3\n", pids.Stdout);

        var time = RunWarm(pool, new SandboxSpec
        {
            Argv = ["/bin/sh", "-c", "while :; do :; done"],
            Limits = new SandboxLimits { CpuTimeSeconds = 0.3, WallTimeSeconds = 10 },
        });
        Assert.Equal(SandboxStatus.TimeLimit, time.Status);
        Assert.InRange(time.CpuTime, 0.3, 0.4);

        var cpuset = RunWarm(pool, new SandboxSpec
        {
            Argv = ["/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status"],
            Limits = new SandboxLimits { Cpuset = "0" },
        });
        Assert.True(cpuset.Status == SandboxStatus.Ok, cpuset.Message + cpuset.Stderr);
        Assert.Equal("Cpus_allowed_list:\t0\n", cpuset.Stdout);
    }

    [Fact]
    public void A_box_whose_launcher_died_is_never_handed_out()
    {
        using var pool = StartPool(2);
        var launcher = pool.LauncherPid;
        var orphans = pool.ReadyPids();
        Assert.Equal(2, orphans.Count);

        Assert.Equal(0, Kill(launcher, 9));
        // SIGKILL is delivered asynchronously: run once the launcher is gone (its boxes die with
        // it), not while it is still dying, when a box can take the program and die under it.
        BoxRunner.WaitFor(() => orphans.Count(Alive), n => n == 0, TimeSpan.FromSeconds(5), "the dead launcher's boxes to die");
        var r = pool.Run(new SandboxSpec { Argv = ["/bin/sh", "-c", "echo $$"] });
        Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
        // Served cold, or warm by a box of the launcher the pool started meanwhile (the refill
        // can be that quick): never by one of the dead launcher's boxes, which are all gone.
        Assert.True(pool.WarmRuns == 0 || pool.LauncherPid != launcher, "a warm run came from the dead launcher");

        // The pool starts a new launcher and fills again.
        Assert.True(pool.WaitUntilReady(2, ReadyTimeout), pool.LastError);
        Assert.NotEqual(launcher, pool.LauncherPid);
        Assert.Empty(pool.ReadyPids().Intersect(orphans));
        var again = RunWarm(pool, new SandboxSpec { Argv = ["/bin/true"] });
        Assert.True(again.Status == SandboxStatus.Ok, again.Message);
    }

    [Fact]
    public void Draining_the_pool_leaves_no_process_cgroup_or_mount_behind()
    {
        var mountsBefore = File.ReadAllLines("/proc/self/mountinfo").Length;
        var pool = StartPool(3);
        var pids = pool.ReadyPids().Append(pool.LauncherPid).ToList();
        Assert.Equal(4, pids.Count);
        Assert.NotEmpty(BoxRunner.LeftoverCgroups());

        pool.Dispose();

        Assert.DoesNotContain(pids, Alive);
        Assert.Empty(BoxRunner.LeftoverCgroups());
        Assert.Equal(mountsBefore, File.ReadAllLines("/proc/self/mountinfo").Length);
        Assert.Throws<ObjectDisposedException>(() => pool.Run(new SandboxSpec { Argv = ["/bin/true"] }));
    }

    [Fact]
    public void Box_Run_with_warm_boxes_serves_programs_from_a_shared_pool()
    {
        var options = BoxRunner.Options with { WarmBoxes = 1 };
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var r = Runner.Sandbox.Box.Run(new SandboxSpec { Argv = ["/bin/echo", "hi"] }, options);
                Assert.True(r.Status == SandboxStatus.Ok, r.Message);
                Assert.Equal("hi\n", r.Stdout);
            }
        }
        finally
        {
            WarmPool.DrainShared();
        }
        Assert.Empty(BoxRunner.LeftoverCgroups());
    }

    [Fact]
    public void A_warm_box_mounts_the_program_s_work_dir_at_box_nosuid_and_hands_back_what_it_wrote()
    {
        using var pool = StartPool(1);
        var dir = Directory.CreateTempSubdirectory("runner-warm-work-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "in.txt"), "given\n");
            var r = RunWarm(pool, new SandboxSpec
            {
                Argv = ["/bin/sh", "-c", "cat in.txt; echo made > out.txt; grep ' /box ' /proc/self/mountinfo"],
                WorkDir = dir.FullName,
            });
            Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
            Assert.StartsWith("given\n", r.Stdout);
            Assert.Contains("nosuid", r.Stdout);
            Assert.Contains("nodev", r.Stdout);
            Assert.Equal("made\n", File.ReadAllText(Path.Combine(dir.FullName, "out.txt")));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void A_tmpfs_size_given_at_run_time_holds_in_a_warm_box()
    {
        using var pool = StartPool(1);
        var r = RunWarm(pool, new SandboxSpec
        {
            Argv = ["/bin/sh", "-c", "for d in /tmp /dev/shm /box; do df -k $d | tail -n 1 | tr -s ' ' | cut -d ' ' -f 2; done"],
            Limits = new SandboxLimits { TmpfsBytes = 1L << 20 },
        });
        Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
        Assert.Equal("1024\n1024\n1024\n", r.Stdout);
    }

    [Fact]
    public void What_a_program_leaves_running_dies_before_its_warm_result_returns()
    {
        using var pool = StartPool(1);
        var dir = Directory.CreateTempSubdirectory("runner-warm-late-");
        try
        {
            // The straggler lets go of the program's pipes and keeps writing to the work dir, so
            // only the box's teardown stops it; the result may come only after that.
            var late = Path.Combine(dir.FullName, "late.txt");
            var r = RunWarm(pool, new SandboxSpec
            {
                Argv = ["/bin/sh", "-c", "(exec >/dev/null 2>&1; while :; do echo x >> late.txt; done) & sleep 0.1; echo started"],
                WorkDir = dir.FullName,
            });
            var lengthAtResult = new FileInfo(late).Length;
            Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
            Assert.Equal("started\n", r.Stdout);
            Assert.True(lengthAtResult > 0, "the straggler never ran");
            Thread.Sleep(300);
            Assert.Equal(lengthAtResult, new FileInfo(late).Length);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void A_warm_pool_builds_its_boxes_for_the_hostname_programs_come_with_and_runs_binds_cold()
    {
        using var pool = StartPool(1);
        var spec = new SandboxSpec { Argv = ["/bin/sh", "-c", "hostname; cat /etc/hostname"], Hostname = "judge" };
        var first = pool.Run(spec);
        Assert.True(first.Status == SandboxStatus.Ok, first.Message + first.Stderr);
        Assert.Equal(1, pool.ColdRuns);

        var warm = RunWarm(pool, spec);
        Assert.True(warm.Status == SandboxStatus.Ok, warm.Message + warm.Stderr);
        Assert.Equal("judge\njudge\n", warm.Stdout);

        Assert.True(pool.WaitUntilReady(1, ReadyTimeout), pool.LastError);
        var bound = pool.Run(spec with { Argv = ["/bin/cat", "/srv/hostname"], Binds = [new BindMount("/etc/hostname", "/srv/hostname")] });
        Assert.True(bound.Status == SandboxStatus.Ok, bound.Message + bound.Stderr);
        Assert.Equal(File.ReadAllText("/etc/hostname"), bound.Stdout);
        Assert.Equal(2, pool.ColdRuns);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static int Kill(int pid, int signal) => kill(pid, signal);
}
