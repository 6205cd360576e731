using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>Time limits cannot be dodged by spreading work over processes or threads, or by refusing signals.</summary>
[Collection("Attacks")]
public class TimingAttacks(Arena arena)
{
    private static readonly SandboxLimits OneSecond = new() { CpuTimeSeconds = 1, WallTimeSeconds = 30 };

    [Fact]
    public void A_busy_loop_under_a_1_second_limit_is_stopped_within_10_percent_of_it()
    {
        var r = arena.C("busy", "int main(void) { for (volatile unsigned long i = 0; ; i++) ; }", OneSecond);
        Expect.Status(SandboxStatus.TimeLimit, r);
        Assert.InRange(r.CpuTime, 1.0, 1.1);
    }

    [Fact]
    public void CPU_time_of_child_processes_is_counted_even_when_the_parent_never_waits_for_them()
    {
        var r = arena.C("child_burn", """
            int main(void) {
                for (int i = 0; i < 2; i++) if (fork() == 0) for (volatile unsigned long n = 0; ; n++) ;
                for (;;) pause(); /* the parent itself uses no CPU */
            }
            """, OneSecond);
        Expect.Status(SandboxStatus.TimeLimit, r);
        Assert.InRange(r.CpuTime, 1.0, 1.3);
    }

    [Fact]
    public void CPU_time_of_an_orphaned_grandchild_is_counted()
    {
        var r = arena.C("orphan_burn", """
            int main(void) {
                if (fork() == 0) { if (fork() == 0) for (volatile unsigned long n = 0; ; n++) ; _exit(0); }
                wait(0);
                for (;;) pause();
            }
            """, OneSecond);
        Expect.Status(SandboxStatus.TimeLimit, r);
        Assert.InRange(r.CpuTime, 1.0, 1.3);
    }

    [Fact]
    public void CPU_time_of_threads_is_counted_and_reported_as_user_time()
    {
        var r = arena.C("thread_burn2", """
            static void *spin(void *arg) { for (volatile unsigned long i = 0; ; i++) ; return arg; }
            int main(void) { pthread_t t; pthread_create(&t, 0, spin, 0); pthread_create(&t, 0, spin, 0); for (;;) pause(); }
            """, OneSecond);
        Expect.Status(SandboxStatus.TimeLimit, r);
        Assert.InRange(r.CpuTime, 1.0, 1.3);
        Assert.True(r.UserTime > 0.8, Arena.Describe(r));
    }

    [Fact]
    public void The_wall_limit_holds_when_every_process_blocks_and_ignores_all_signals()
    {
        var r = arena.C("deaf", """
            static void deafen(void) {
                sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, 0);
                for (int s = 1; s < 65; s++) signal(s, SIG_IGN);
            }
            int main(void) {
                deafen();
                if (fork() == 0) { setsid(); deafen(); for (;;) pause(); }
                for (;;) pause();
            }
            """, new SandboxLimits { CpuTimeSeconds = 1, WallTimeSeconds = 1 });
        Expect.Status(SandboxStatus.WallTimeLimit, r);
        Assert.InRange(r.WallTime, 1.0, 10.0);
    }
}
