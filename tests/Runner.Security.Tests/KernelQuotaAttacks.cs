using System.Runtime.InteropServices;
using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>
/// Kernel quotas that are per user or host-wide rather than per cgroup. A box takes all it can
/// and holds it; meanwhile the host (this test process, root) must still get its own.
/// </summary>
[Collection("Attacks")]
public partial class KernelQuotaAttacks(Arena arena)
{
    private static readonly SandboxLimits Holding = new() { CpuTimeSeconds = 10, WallTimeSeconds = 30, MemoryBytes = 256L << 20 };

    private const string InotifyHog = HoldingBox.CHelper + """
        int main(void) {
            int n = 0, error = 0;
            for (int i = 0; i < 100000; i++) {
                if (syscall(SYS_inotify_init1, 0) < 0) { error = errno; break; }
                n++;
            }
            printf("instances %d %d\n", n, error);
            hold_until_the_host_is_done();
            return 0;
        }
        """;

    [Fact]
    public void A_box_cannot_take_an_inotify_instance_so_host_root_keeps_its_quota()
    {
        var probe = arena.Programs.C("inotify_hog", InotifyHog);
        var (r, hostFd) = HoldingBox.Run(arena, Arena.Spec(Holding, probe), HostInotifyInit);
        Expect.Ok(r);
        Assert.Equal("0 38", Expect.Report(r)["instances"]); // ENOSYS: inotify is not in the default profile
        Assert.True(hostFd >= 0, $"host root could not create an inotify instance while the box held its own: errno {-hostFd}");
    }

    [Fact]
    public void Without_seccomp_a_box_exhausts_only_its_own_slots_inotify_quota_never_host_roots()
    {
        // The second line of defence: the box's user namespace is owned by the slot's uid, so
        // the kernel charges its instances to that uid, not to root.
        var probe = arena.Programs.C("inotify_hog", InotifyHog);
        var (r, hostFd) = HoldingBox.Run(arena, Arena.Spec(Holding, probe) with { Seccomp = "none" }, HostInotifyInit);
        Expect.Ok(r);
        var held = Expect.Report(r)["instances"].Split(' ');
        Assert.InRange(int.Parse(held[0]), 1, MaxUserInstances());
        Assert.True(hostFd >= 0, $"host root could not create an inotify instance while the box held {held[0]}: errno {-hostFd}");
    }

    [Fact]
    public void Signals_a_box_queues_are_charged_to_it_and_never_to_host_root()
    {
        var probe = arena.Programs.C("sigqueue_hog", HoldingBox.CHelper + """
            int main(void) {
                sigset_t set; sigemptyset(&set); sigaddset(&set, SIGRTMIN); sigprocmask(SIG_BLOCK, &set, 0);
                union sigval v = { 0 }; long n = 0; int error = 0;
                for (;;) { if (sigqueue(getpid(), SIGRTMIN, v) < 0) { error = errno; break; } n++; }
                printf("queued %ld %d\n", n, error);
                hold_until_the_host_is_done();
                return 0;
            }
            """);
        var (r, rootQueued) = HoldingBox.Run(arena, Arena.Spec(Holding, probe), RootPendingSignals);
        Expect.Ok(r);
        var queued = Expect.Report(r)["queued"].Split(' ');
        Assert.InRange(long.Parse(queued[0]), 1, 4096); // RLIMIT_SIGPENDING of the box
        Assert.Equal("11", queued[1]);                  // EAGAIN
        Assert.True(rootQueued < 1000, $"host root's pending-signal count (SigQ) rose to {rootQueued} while the box held its signals");
    }

    [Fact]
    public void Posix_message_queues_of_a_box_never_use_up_host_roots_quota()
    {
        var probe = arena.Programs.C("mqueue_hog", HoldingBox.CHelper + """
            #include <mqueue.h>
            int main(void) {
                int n = 0, error = 0; char name[32];
                for (int i = 0; i < 1000; i++) {
                    snprintf(name, sizeof name, "/hog%d", i);
                    if (mq_open(name, O_CREAT | O_RDWR, 0600, NULL) == (mqd_t)-1) { error = errno; break; }
                    n++;
                }
                printf("queues %d %d\n", n, error);
                hold_until_the_host_is_done();
                return 0;
            }
            """);
        var (r, hostQueue) = HoldingBox.Run(arena, Arena.Spec(Holding, probe), HostMqOpen);
        Expect.Ok(r);
        Assert.InRange(int.Parse(Expect.Report(r)["queues"].Split(' ')[0]), 1, 1000);
        Assert.True(hostQueue == 0, $"host root's mq_open failed while the box held its queues: errno {hostQueue}");
    }

    [Fact]
    public void Linux_AIO_contexts_are_out_of_reach_so_the_host_wide_aio_nr_stays()
    {
        var before = AioNr();
        var probe = arena.Programs.C("aio_hog", HoldingBox.CHelper + """
            int main(void) {
                unsigned long ctx1 = 0, ctx2 = 0;
                long a = syscall(SYS_io_setup, 32768, &ctx1); int e1 = errno;
                long b = syscall(SYS_io_setup, 32768, &ctx2); int e2 = errno;
                printf("io_setup %ld %d %ld %d\n", a, a < 0 ? e1 : 0, b, b < 0 ? e2 : 0);
                hold_until_the_host_is_done();
                return 0;
            }
            """);
        var (r, during) = HoldingBox.Run(arena, Arena.Spec(Holding, probe), AioNr);
        Expect.Ok(r);
        Assert.Equal("-1 38 -1 38", Expect.Report(r)["io_setup"]); // ENOSYS, as on a kernel without AIO
        Assert.True(during - before < 1024, $"fs.aio-nr went from {before} to {during} while the box ran");
    }

    private static int HostInotifyInit()
    {
        var fd = inotify_init1(0);
        if (fd < 0) return -Marshal.GetLastPInvokeError();
        close(fd);
        return fd;
    }

    private static int HostMqOpen()
    {
        var name = $"/runner-security-{Environment.ProcessId}";
        var q = mq_open(name, 0x40 | 2, 0x180, 0); // O_CREAT | O_RDWR, default attributes
        if (q < 0) return Marshal.GetLastPInvokeError();
        close(q);
        mq_unlink(name);
        return 0;
    }

    /// <summary>SigQ of this (root) process: the signals queued by every process of root's user.</summary>
    private static long RootPendingSignals() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigQ:"))[5..].Trim().Split('/')[0]);

    private static long AioNr() => long.Parse(File.ReadAllText("/proc/sys/fs/aio-nr").Trim());

    private static int MaxUserInstances() => int.Parse(File.ReadAllText("/proc/sys/fs/inotify/max_user_instances").Trim());

    [LibraryImport("libc", SetLastError = true)]
    private static partial int inotify_init1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mq_open(string name, int flags, int mode, nint attributes);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mq_unlink(string name);
}
