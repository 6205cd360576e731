using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>
/// Two boxes at once: a victim that holds an object of each kind and an attacker that goes
/// after it. The boxes share only a host sync directory (bound at /sync), used to order the
/// two; it is not part of what is tested.
/// </summary>
[Collection("Attacks")]
public class CrossBoxAttacks(Arena arena)
{
    private const string Pair = """
        #include <sys/ipc.h>
        #include <sys/msg.h>
        #include <sys/sem.h>
        #include <sys/shm.h>
        #define KEY 0x5ec0de
        static void wait_for(const char *path) { for (int i = 0; i < 1000 && access(path, F_OK); i++) usleep(10000); }
        static struct sockaddr_un abstract_name(void) {
            struct sockaddr_un a = { .sun_family = AF_UNIX }; memcpy(a.sun_path, "\0runner-victim", 14); return a; }
        static int victim(void) {
            int shm = shmget(KEY, 4096, IPC_CREAT | 0666), msg = msgget(KEY, IPC_CREAT | 0666), sem = semget(KEY, 1, IPC_CREAT | 0666);
            int pshm = shm_open("/runner-victim", O_CREAT | O_RDWR, 0666); write(pshm, "victim", 6);
            int s = socket(AF_UNIX, SOCK_STREAM, 0); struct sockaddr_un a = abstract_name();
            int bound = bind(s, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 14); listen(s, 4);
            int f = open("/tmp/victim-file", O_CREAT | O_WRONLY, 0666); write(f, "victim", 6); close(f);
            f = open("/box/victim-file", O_CREAT | O_WRONLY, 0666); write(f, "victim", 6); close(f);
            printf("made %d %d %d %d %d\n", shm >= 0, msg >= 0, sem >= 0, pshm >= 0, bound == 0);
            close(open("/sync/ready", O_CREAT | O_WRONLY, 0666));
            wait_for("/sync/done");
            fcntl(s, F_SETFL, O_NONBLOCK);
            printf("intact %d %d %d %d %d\n", shmget(KEY, 0, 0) == shm, msgget(KEY, 0) == msg, access("/dev/shm/runner-victim", F_OK) == 0,
                   access("/tmp/victim-file", F_OK) == 0, accept(s, 0, 0) < 0 && errno == EAGAIN);
            return 0;
        }
        static int attack(void) {
            wait_for("/sync/ready");
            TRY("kill_all", kill(-1, SIGKILL));
            int visible = 0; for (int pid = 2; pid < 1000; pid++) if (pid != getpid() && kill(pid, 0) == 0) visible++; /* pid 1: its own init */
            printf("signalable %d\n", visible);
            TRY("sysv_shm", shmget(KEY, 0, 0));
            TRY("sysv_msg", msgget(KEY, 0));
            TRY("sysv_sem", semget(KEY, 0, 0));
            FILE *ipc = fopen("/proc/sysvipc/shm", "r"); char line[512]; int n = -1; while (fgets(line, sizeof line, ipc)) n++;
            printf("sysv_listed %d\n", n);
            TRY("posix_shm", shm_open("/runner-victim", O_RDONLY, 0));
            int s = socket(AF_UNIX, SOCK_STREAM, 0); struct sockaddr_un a = abstract_name();
            TRY("abstract", connect(s, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 14));
            TRY("tmp_file", open("/tmp/victim-file", O_RDONLY));
            TRY("box_file", open("/box/victim-file", O_RDONLY));
            int found = 0; for (int pid = 1; pid < 1000; pid++) { char p[64]; snprintf(p, sizeof p, "/proc/%d/root/box/victim-file", pid); if (access(p, F_OK) == 0) found++; }
            printf("via_proc_root %d\n", found);
            close(open("/sync/done", O_CREAT | O_WRONLY, 0666));
            return 0;
        }
        int main(int argc, char **argv) { return strcmp(argv[1], "victim") == 0 ? victim() : attack(); }
        """;

    private static Dictionary<string, string>? _report;
    private static readonly Lock Once = new();

    /// <summary>One victim and one attacker box run concurrently once; each case asserts its part of the report.</summary>
    private (Dictionary<string, string> Attack, SandboxResult Victim) RunPair()
    {
        lock (Once)
        {
            if (_report is not null && _victim is not null) return (_report, _victim);
            var program = arena.Programs.C("cross_box", Pair);
            var sync = Arena.NewPublicDirectory("runner-security-sync-");
            File.SetUnixFileMode(sync, (UnixFileMode)0x1ff);
            try
            {
                SandboxSpec Spec(string role, string work) => new()
                {
                    Argv = [program, role],
                    WorkDir = work,
                    Limits = new SandboxLimits { CpuTimeSeconds = 5, WallTimeSeconds = 15 },
                    Binds = [new BindMount(sync, "/sync", Writable: true)],
                };
                var victimWork = Arena.NewPublicDirectory("runner-security-victim-");
                var attackerWork = Arena.NewPublicDirectory("runner-security-attacker-");
                var victim = Task.Run(() => arena.RunUnchecked(Spec("victim", victimWork)));
                var attacker = Task.Run(() => arena.RunUnchecked(Spec("attack", attackerWork)));
                Task.WaitAll(victim, attacker);
                HostInvariants.Check(arena);
                Expect.Ok(attacker.Result);
                Directory.Delete(victimWork, true);
                Directory.Delete(attackerWork, true);
                _victim = victim.Result;
                _report = Expect.Report(attacker.Result);
                return (_report, _victim);
            }
            finally
            {
                Directory.Delete(sync, true);
            }
        }
    }

    private static SandboxResult? _victim;

    [Fact]
    public void Kill_minus_one_and_signals_from_one_box_never_reach_a_concurrent_box()
    {
        var (attack, victim) = RunPair();
        Assert.Equal("-1 3", attack["kill_all"]); // ESRCH: nobody it may signal
        Assert.Equal("0", attack["signalable"]);
        Expect.Ok(victim);
        Assert.Contains("made 1 1 1 1 1\n", victim.Stdout);
        Assert.Contains("intact ", victim.Stdout);
    }

    [Fact]
    public void SysV_IPC_objects_of_one_box_are_invisible_to_a_concurrent_box()
    {
        var (attack, victim) = RunPair();
        Assert.Equal("-1 2", attack["sysv_shm"]);
        Assert.Equal("-1 2", attack["sysv_msg"]);
        Assert.Equal("-1 2", attack["sysv_sem"]);
        Assert.Equal("0", attack["sysv_listed"]);
        Assert.Contains("intact 1 1 ", victim.Stdout);
    }

    [Fact]
    public void POSIX_shared_memory_of_one_box_is_invisible_to_a_concurrent_box()
    {
        var (attack, victim) = RunPair();
        Assert.Equal("-1 2", attack["posix_shm"]);
        Assert.Matches(@"intact \d \d 1 ", victim.Stdout);
    }

    [Fact]
    public void An_abstract_unix_socket_of_one_box_is_unreachable_from_a_concurrent_box()
    {
        var (attack, victim) = RunPair();
        Assert.Equal("-1 111", attack["abstract"]); // ECONNREFUSED
        Assert.Matches(@"intact \d \d \d \d 1\n", victim.Stdout); // and the victim's socket saw no connection
    }

    [Fact]
    public void Files_and_work_dirs_of_one_box_are_invisible_to_a_concurrent_box()
    {
        var (attack, victim) = RunPair();
        Assert.Equal("-1 2", attack["tmp_file"]);
        Assert.Equal("-1 2", attack["box_file"]);
        Assert.Equal("0", attack["via_proc_root"]);
        Assert.Matches(@"intact \d \d \d 1 ", victim.Stdout);
    }

    [Fact]
    public void Nothing_persists_from_one_run_to_the_next_in_the_same_uid_slot()
    {
        var program = arena.Programs.C("cross_box", Pair);
        var sync = Arena.NewPublicDirectory("runner-security-sync-");
        File.SetUnixFileMode(sync, (UnixFileMode)0x1ff);
        File.WriteAllText(Path.Combine(sync, "done"), ""); // the victim leaves at once
        try
        {
            SandboxSpec Spec(string role) => new() { Argv = [program, role], Binds = [new BindMount(sync, "/sync", Writable: true)] };
            var first = arena.Run(Spec("victim"), arena.SingleSlot);
            Expect.Ok(first);
            Assert.Contains("made 1 1 1 1 1\n", first.Stdout);
            var second = arena.Run(Spec("attack"), arena.SingleSlot); // SlotCount 1: the same host uid
            Expect.Ok(second);
            var report = Expect.Report(second);
            foreach (var key in new[] { "sysv_shm", "sysv_msg", "sysv_sem", "posix_shm", "tmp_file", "box_file" })
                Assert.True(report[key] == "-1 2", $"{key} persisted: {report[key]}");
            Assert.Equal("-1 111", report["abstract"]);
        }
        finally
        {
            Directory.Delete(sync, true);
        }
    }
}
