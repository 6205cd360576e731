using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>Nothing a run starts outlives it, and nothing a run leaves can reach the next run in the same uid slot.</summary>
[Collection("Attacks")]
public class DaemonAttacks(Arena arena)
{
    private const string Daemon = """
        static void daemonize(int stubborn) {
            if (fork() > 0) return;             /* the program goes on and exits */
            setsid();
            if (fork() > 0) _exit(0);           /* double fork: reparented to the box's init */
            if (stubborn) {
                sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, 0);
                for (int s = 1; s < 65; s++) signal(s, SIG_IGN);
            }
            for (;;) {                          /* tries to reach whatever comes next */
                int fd = open("/box/from-daemon", O_WRONLY | O_CREAT | O_APPEND, 0666);
                if (fd >= 0) { write(fd, "x", 1); close(fd); }
                usleep(10000);
            }
        }
        int main(int argc, char **argv) {
            daemonize(argc > 1 && strcmp(argv[1], "stubborn") == 0);
            usleep(100000);                     /* let the daemon settle */
            puts("program exits");
            return 0;
        }
        """;

    [Fact]
    public void A_setsid_double_fork_daemon_is_killed_when_the_program_exits()
    {
        var r = arena.C("daemon", Daemon, new SandboxLimits { CpuTimeSeconds = 2, WallTimeSeconds = 20 });
        Expect.Ok(r); // ended with the program, not at the wall limit
        Assert.Equal("program exits\n", r.Stdout);
    }

    [Fact]
    public void A_daemon_that_blocks_and_ignores_every_signal_is_still_killed_when_the_program_exits()
    {
        var r = arena.C("daemon", Daemon, new SandboxLimits { CpuTimeSeconds = 2, WallTimeSeconds = 20 }, "stubborn");
        Expect.Ok(r);
    }

    [Fact]
    public void A_daemon_from_a_previous_run_cannot_touch_the_next_run_in_the_same_uid_slot()
    {
        var work = Arena.NewPublicDirectory("runner-security-reused-");
        try
        {
            var daemon = arena.Programs.C("daemon", Daemon);
            // Same slot (uid) and even the same work dir: the worst reuse a judge could make.
            var first = arena.Run(new SandboxSpec { Argv = [daemon, "stubborn"], WorkDir = work }, arena.SingleSlot);
            Expect.Ok(first);
            File.Delete(Path.Combine(work, "from-daemon"));
            var second = arena.Run(new SandboxSpec
            {
                Argv = ["/bin/sh", "-c", HostileProgram.ShellPrelude + """
                    sleep 0.5
                    echo "files $(ls -A /box | wc -l)"
                    set -- /proc/[0-9]*; echo "processes $#"
                    kill -9 -1 2>/dev/null; echo "kill_all $?"
                    """],
                WorkDir = work,
            }, arena.SingleSlot);
            Expect.Ok(second);
            var report = Expect.Report(second);
            Assert.Equal("0", report["files"]); // no daemon wrote into the next run's /box
            Assert.Equal("1", report["processes"]); // the shell alone (its init is hidden): no survivor of the first run
            Assert.False(File.Exists(Path.Combine(work, "from-daemon")));
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void Files_a_run_leaves_in_its_work_dir_belong_to_the_owner_and_a_fresh_box_starts_empty()
    {
        var work = Arena.NewPublicDirectory("runner-security-left-");
        try
        {
            Expect.Ok(arena.Run(new SandboxSpec { Argv = ["/bin/sh", "-c", "echo left > /box/left; echo left > /tmp/left"], WorkDir = work }, arena.SingleSlot));
            Assert.Equal(0u, HostFile.Lstat(Path.Combine(work, "left"))!.Uid); // handed back to the dir's owner (root here)
            var next = arena.Sh("ls -A /box /tmp /dev/shm | grep -v : | grep -c . || true");
            Expect.Ok(next);
            Assert.Equal("0\n", next.Stdout);
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }
}
