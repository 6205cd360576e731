using Runner.Sandbox.Launch;
using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>Exhausting the box's resources ends in a verdict for that box, never in harm to the host.</summary>
[Collection("Attacks")]
public class ResourceAttacks(Arena arena)
{
    private static readonly SandboxLimits Short = new() { CpuTimeSeconds = 2, WallTimeSeconds = 4 };

    [Fact]
    public void A_C_fork_bomb_is_held_at_the_pids_limit_and_leaves_no_process_behind()
    {
        var r = arena.C("fork_bomb", """
            int main(void) {
                pid_t leader = getpid();
                for (;;) {
                    pid_t child = fork();
                    if (child < 0 && getpid() == leader) {
                        int e = errno, n = 0;
                        DIR *proc = opendir("/proc"); struct dirent *d;
                        while ((d = readdir(proc))) if (d->d_name[0] >= '0' && d->d_name[0] <= '9') n++;
                        printf("held %s %d\n", e == EAGAIN ? "EAGAIN" : strerror(e), n);
                        fflush(stdout);
                        return 0; /* the box ends with its program: every other process dies */
                    }
                    if (child == 0) leader = 0; /* children keep forking too */
                }
            }
            """, Short with { Pids = 32 });
        Expect.Ok(r);
        var held = Expect.Report(r)["held"].Split(' ');
        Assert.Equal("EAGAIN", held[0]);
        Assert.InRange(int.Parse(held[1]), 1, 32);
    }

    [Fact]
    public void A_shell_fork_bomb_is_held_at_the_pids_limit_and_leaves_no_process_behind()
    {
        var r = arena.Sh("bomb() { bomb | bomb & }; bomb; sleep 10", Short with { Pids = 32 });
        // However it ends (its "Cannot fork" messages can even fill the stderr cap), it ends contained.
        Expect.StatusIn(r, SandboxStatus.WallTimeLimit, SandboxStatus.TimeLimit, SandboxStatus.OutputLimit, SandboxStatus.Ok, SandboxStatus.RuntimeError);
        Assert.Contains("fork", r.Stderr); // dash reports "Cannot fork" once the pids limit holds
    }

    [Fact]
    public void A_heap_memory_bomb_is_killed_by_the_memory_limit()
    {
        var r = arena.C("heap_bomb", """
            int main(void) {
                for (;;) { char *p = malloc(1 << 20); if (!p) { puts("malloc failed"); return 3; } memset(p, 1, 1 << 20); }
            }
            """, Short with { MemoryBytes = 64L << 20 });
        Expect.Status(SandboxStatus.MemoryLimit, r);
        Assert.True(r.OomKilled);
        Assert.InRange(r.MemoryPeak ?? 0, 1, (64L << 20) + (1 << 20));
    }

    [Fact]
    public void An_mmap_memory_bomb_is_killed_by_the_memory_limit()
    {
        var r = arena.C("mmap_bomb", """
            int main(void) {
                for (;;) if (mmap(0, 1 << 22, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0) == MAP_FAILED) { puts("mmap failed"); return 3; }
            }
            """, Short with { MemoryBytes = 64L << 20 });
        Expect.Status(SandboxStatus.MemoryLimit, r);
    }

    [Fact]
    public void A_stack_recursion_bomb_ends_in_a_verdict_and_not_in_host_memory()
    {
        var r = arena.C("stack_bomb", """
            static int deep(int n) { volatile char frame[4096]; frame[0] = (char)n; return deep(n + 1) + frame[0]; }
            int main(void) { return deep(0); }
            """, Short with { MemoryBytes = 64L << 20 });
        // Stack = memory limit by default: either the cgroup OOM-kills it or the rlimit gives SIGSEGV.
        Expect.StatusIn(r, SandboxStatus.MemoryLimit, SandboxStatus.Signaled);
        if (r.Status == SandboxStatus.Signaled) Assert.Equal(11, r.Signal);
    }

    [Theory]
    [InlineData("/tmp")]
    [InlineData("/dev/shm")]
    [InlineData("/box")]
    public void Filling_a_box_tmpfs_stops_at_its_size_and_is_charged_to_the_box(string where)
    {
        var r = arena.C("tmpfs_fill", """
            int main(int argc, char **argv) {
                char path[256]; long total = 0;
                for (int i = 0; ; i++) {
                    snprintf(path, sizeof path, "%s/fill%d", argv[1], i);
                    int fd = open(path, O_WRONLY | O_CREAT, 0644);
                    if (fd < 0) { printf("stopped %s %ld\n", strerror(errno), total); return 0; }
                    static char block[1 << 16]; memset(block, 7, sizeof block);
                    for (int k = 0; k < 64; k++) {
                        ssize_t n = write(fd, block, sizeof block);
                        if (n < 0) { printf("stopped %s %ld\n", strerror(errno), total); return 0; }
                        total += n;
                    }
                    close(fd);
                }
            }
            """, Short with { TmpfsBytes = 16L << 20, MemoryBytes = 128L << 20 }, where);
        Expect.Ok(r);
        var stopped = Expect.Report(r)["stopped"];
        Assert.StartsWith("No space left on device", stopped);
        Assert.InRange(long.Parse(stopped.Split(' ')[^1]), 1, 16L << 20);
        Assert.InRange(r.MemoryPeak ?? 0, 15L << 20, 128L << 20); // tmpfs pages count against the box
    }

    [Fact]
    public void Tmpfs_bigger_than_the_memory_limit_ends_in_memory_limit_not_host_memory()
    {
        var r = arena.Sh("dd if=/dev/zero of=/tmp/big bs=1M count=200 2>&1; echo survived",
            Short with { TmpfsBytes = 256L << 20, MemoryBytes = 48L << 20 });
        Expect.StatusIn(r, SandboxStatus.MemoryLimit);
    }

    [Fact]
    public void A_multithreaded_CPU_burn_is_stopped_at_the_CPU_limit_counting_every_thread()
    {
        var r = arena.C("thread_burn", """
            static void *spin(void *arg) { for (volatile unsigned long i = 0; ; i++) ; return arg; }
            int main(void) {
                pthread_t t[4];
                for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, spin, 0);
                spin(0);
            }
            """, new SandboxLimits { CpuTimeSeconds = 1, WallTimeSeconds = 20 });
        Expect.Status(SandboxStatus.TimeLimit, r);
        Assert.InRange(r.CpuTime, 1.0, 1.3);
    }

    [Fact]
    public void A_sleeping_program_is_stopped_at_the_wall_limit()
    {
        var r = arena.Sh("sleep 100", new SandboxLimits { CpuTimeSeconds = 1, WallTimeSeconds = 1 });
        Expect.Status(SandboxStatus.WallTimeLimit, r);
        Assert.InRange(r.WallTime, 1.0, 5.0);
    }

    [Fact]
    public void A_program_blocked_on_a_read_that_never_completes_is_stopped_at_the_wall_limit()
    {
        var r = arena.C("blocked_read", """
            int main(void) { int p[2]; pipe(p); char c; read(p[0], &c, 1); puts("read returned"); return 0; }
            """, new SandboxLimits { CpuTimeSeconds = 1, WallTimeSeconds = 1 });
        Expect.Status(SandboxStatus.WallTimeLimit, r);
        Assert.DoesNotContain("returned", r.Stdout);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void An_output_flood_is_cut_at_the_output_limit(int stream)
    {
        var r = arena.C("flood", """
            int main(int argc, char **argv) {
                int fd = atoi(argv[1]); static char block[1 << 16]; memset(block, 'x', sizeof block);
                for (;;) write(fd, block, sizeof block);
            }
            """, Short with { OutputBytes = 256 << 10 }, stream.ToString());
        Expect.Status(SandboxStatus.OutputLimit, r);
        var captured = stream == 1 ? r.Stdout : r.Stderr;
        Assert.InRange(captured.Length, 1, 256 << 10);
        Assert.True(stream == 1 ? r.StdoutTruncated : r.StderrTruncated);
    }

    [Fact]
    public void A_huge_single_file_is_stopped_by_SIGXFSZ_at_the_file_size_limit()
    {
        var r = arena.C("huge_file", """
            int main(void) {
                int fd = open("/box/huge", O_WRONLY | O_CREAT, 0644); static char block[1 << 16];
                for (;;) if (write(fd, block, sizeof block) < 0) { printf("write %s\n", strerror(errno)); return 0; }
            }
            """, Short with { FileSizeBytes = 1L << 20 });
        Expect.Status(SandboxStatus.Signaled, r);
        Assert.Equal(25, r.Signal); // SIGXFSZ
    }

    [Fact]
    public void Fallocate_past_the_file_size_limit_fails_and_past_the_tmpfs_size_finds_no_space()
    {
        var r = arena.C("fallocate", """
            int main(void) {
                signal(SIGXFSZ, SIG_IGN);
                int fd = open("/box/big", O_WRONLY | O_CREAT, 0644);
                int rc = fallocate(fd, 0, 0, 512L << 20);
                printf("over_fsize %d %s\n", rc, strerror(errno));
                int fd2 = open("/tmp/big", O_WRONLY | O_CREAT, 0644);
                rc = fallocate(fd2, 0, 0, 32L << 20);
                printf("over_tmpfs %d %s\n", rc, strerror(errno));
                struct stat st; fstat(fd2, &st); printf("tmp_size %ld\n", (long)st.st_size);
                return 0;
            }
            """, Short with { FileSizeBytes = 64L << 20, TmpfsBytes = 16L << 20, MemoryBytes = 128L << 20 });
        Expect.Ok(r);
        var report = Expect.Report(r);
        Assert.Equal("-1 File too large", report["over_fsize"]);
        Assert.Equal("-1 No space left on device", report["over_tmpfs"]);
        Assert.Equal("0", report["tmp_size"]);
    }

    [Fact]
    public void Opening_too_many_files_stops_at_the_nofile_limit_which_cannot_be_raised()
    {
        var r = arena.C("nofile", """
            int main(void) {
                int n = 0; while (open("/dev/null", O_RDONLY) >= 0) n++;
                printf("opened %d %s\n", n, strerror(errno));
                struct rlimit l; getrlimit(RLIMIT_NOFILE, &l); l.rlim_max = l.rlim_cur = 1 << 20;
                int rc = setrlimit(RLIMIT_NOFILE, &l);
                printf("raise %d %s\n", rc, strerror(errno));
                return 0;
            }
            """, Short with { OpenFiles = 64 });
        Expect.Ok(r);
        var report = Expect.Report(r);
        Assert.Equal("61 Too many open files", report["opened"]); // 64 minus stdin, stdout, stderr
        Assert.Equal("-1 Operation not permitted", report["raise"]);
    }

    [Fact]
    public void Zombies_piling_up_are_held_at_the_pids_limit_and_reaped_at_the_end()
    {
        var r = arena.C("zombies", """
            int main(void) {
                int n = 0;
                for (;;) { pid_t p = fork(); if (p == 0) _exit(0); if (p < 0) break; n++; }
                printf("zombies %d %s\n", n, strerror(errno));
                return 0; /* never waits for them */
            }
            """, Short with { Pids = 16 });
        Expect.Ok(r);
        Assert.Equal("15 Resource temporarily unavailable", Expect.Report(r)["zombies"]);
    }

    [Fact]
    public void A_huge_argv_is_refused_with_E2BIG_as_an_internal_error_naming_execve()
    {
        var huge = Enumerable.Repeat(new string('a', 4096), 2048).ToArray(); // 8 MiB of arguments
        var r = arena.Run(Arena.Spec(Short, ["/bin/true", .. huge]));
        Expect.Status(SandboxStatus.InternalError, r);
        Assert.Equal(LaunchStep.Execve, r.FailedStep);
        Assert.Contains("E2BIG", r.Message);
    }

    [Fact]
    public void A_huge_environment_built_inside_the_box_is_refused_by_execve_with_E2BIG()
    {
        var r = arena.C("huge_env", """
            int main(void) {
                static char value[1 << 17]; memset(value, 'v', sizeof value - 1);
                for (int i = 0; i < 200; i++) { char name[16]; snprintf(name, sizeof name, "V%d", i); setenv(name, value, 1); }
                char *args[] = { "/bin/true", 0 };
                execv("/bin/true", args);
                printf("execve %s\n", strerror(errno));
                return 0;
            }
            """, Short);
        Expect.Ok(r);
        Assert.Equal("Argument list too long", Expect.Report(r)["execve"]);
    }
}
