using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

[Collection("Attacks")]
public class InformationAttacks(Arena arena)
{
    [Fact]
    public void Host_processes_are_invisible_and_the_workers_own_pid_is_unreachable()
    {
        var r = arena.C("host_pids", """
            int main(int argc, char **argv) {
                int worker = atoi(argv[1]);
                int seen = 0;
                for (int pid = 1; pid < 4096; pid++) {
                    char path[64]; snprintf(path, sizeof path, "/proc/%d", pid);
                    if (access(path, F_OK) == 0) seen++;
                }
                printf("seen %d\n", seen);
                errno = 0; int k = kill(worker, 0); printf("kill_worker %d %d\n", k, errno);
                char path[64]; snprintf(path, sizeof path, "/proc/%d/status", worker);
                printf("worker_proc %d\n", access(path, F_OK) == 0);
                return 0;
            }
            """, args: [Environment.ProcessId.ToString()]);
        Expect.Ok(r);
        var report = Expect.Report(r);
        Assert.True(int.Parse(report["seen"]) <= 3, Arena.Describe(r));
        Assert.Equal($"-1 {3 /* ESRCH */}", report["kill_worker"]);
        Assert.Equal("0", report["worker_proc"]);
    }

    [Fact]
    public void The_box_init_exposes_neither_the_workers_command_line_nor_its_environment()
    {
        // The worker's real environment block (what /proc/1/environ of a forked init would show).
        var workerEnvironment = File.ReadAllText("/proc/self/environ").Split('\0')
            .Where(e => e.Length > 16 && !e.StartsWith("PATH=") && !e.StartsWith("LANG=") && !e.StartsWith("HOME="))
            .ToList();
        Environment.SetEnvironmentVariable("RUNNER_DB_PASSWORD", Arena.Secret);
        var r = arena.Sh("""
            echo "init_visible $(test -e /proc/1 && echo yes || echo no)"
            cat /proc/1/cmdline /proc/1/environ /proc/1/status 2>/dev/null | tr '\0' '\n'
            for p in /proc/[0-9]*; do tr '\0' '\n' < $p/cmdline; tr '\0' '\n' < $p/environ; done 2>/dev/null
            env
            """);
        Expect.Ok(r);
        Assert.Contains("init_visible no", r.Stdout);
        Assert.DoesNotContain(Arena.Secret, r.Stdout);
        Assert.DoesNotContain("testhost", r.Stdout);
        Assert.DoesNotContain("dotnet", r.Stdout);
        foreach (var variable in workerEnvironment) Assert.DoesNotContain(variable, r.Stdout);
    }

    [Fact]
    public void Host_files_secrets_and_the_services_config_are_invisible()
    {
        // A stand-in for the service's own config, readable by everyone on the host.
        var configDir = Arena.NewPublicDirectory("runner-security-config-");
        var config = Path.Combine(configDir, "appsettings.Production.json");
        File.WriteAllText(config, $$"""{ "ConnectionStrings": { "Runner": "Host=localhost;Password={{Arena.Secret}}" } }""");
        try
        {
            var r = arena.Sh($"""
                for p in /etc/shadow /etc/gshadow /etc/ssh /etc/ssl/private /root /home /work /run /var /srv /mnt /opt \
                         /etc/machine-id /proc/kcore {configDir} {config} {arena.SecretFile} {arena.Scratch}; do
                  test -e "$p" && echo "visible $p"
                done
                grep -rs -l {Arena.Secret} /etc /box /tmp /dev/shm /probe 2>/dev/null | sed 's/^/found /'
                # Kernel addresses (a KASLR bypass) and host timers stay hidden from the box's root.
                grep -v -m1 '^0000000000000000 ' /proc/kallsyms | sed 's/^/kernel address /'
                cat /proc/timer_list 2>/dev/null | head -1 | sed 's/^/timer_list /'
                echo done
                """);
            Expect.Ok(r);
            Assert.Equal("done\n", r.Stdout);
        }
        finally
        {
            Directory.Delete(configDir, true);
        }
    }
}
