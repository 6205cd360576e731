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

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/status")
        && !File.ReadAllText($"/proc/{pid}/status").Contains("(zombie)");

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
            Assert.False(Alive(init), $"the box's init {init} outlived its program");
        }
        Assert.Equal(4, inits.Distinct().Count());
    }

    [Fact]
    public void Memory_pids_time_and_cpuset_limits_given_at_run_time_hold_in_a_warm_box()
    {
        using var pool = StartPool(1);

        // The box was prepared with 64 MiB; this run asks for 32 MiB and allocates 100.
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
        var r = pool.Run(new SandboxSpec { Argv = ["/bin/sh", "-c", "echo $$"] });
        Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
        Assert.Equal(0, pool.WarmRuns);
        BoxRunner.WaitFor(() => orphans.Count(Alive), n => n == 0, TimeSpan.FromSeconds(5), "the dead launcher's boxes to die");

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

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static int Kill(int pid, int signal) => kill(pid, signal);
}
