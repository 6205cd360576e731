using System.Runtime.InteropServices;
using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>
/// What boxes share with the host and with each other through the one kernel: its identity
/// in /proc, host-wide pressure triggers, locks and watches on the host's own inodes (the
/// read-only /usr and /etc binds), file-system write-back, and the launcher's scheduling.
/// </summary>
[Collection("Attacks")]
public partial class SharedHostAttacks(Arena arena)
{
    private static readonly SandboxLimits Holding = new() { CpuTimeSeconds = 10, WallTimeSeconds = 30 };

    [Fact]
    public void The_hosts_kernel_command_line_boot_id_and_kernel_config_are_masked()
    {
        var r = arena.Sh("""
            for f in /proc/cmdline /proc/sys/kernel/random/boot_id /proc/config.gz; do
                [ -e "$f" ] && { printf '%s:' "$f"; cat "$f" | od -An -c | head -c 200; echo; }
            done
            echo end
            """);
        Expect.Ok(r);
        var hostCmdline = File.ReadAllText("/proc/cmdline").Trim();
        var hostBootId = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        Assert.Contains("end", r.Stdout);
        Assert.DoesNotContain(hostBootId[..8], r.Stdout.Replace(" ", ""));
        Assert.DoesNotContain(hostCmdline.Split(' ')[0], r.Stdout.Replace(" ", ""));
        // Each masked file reads as empty: od printed nothing after the name.
        foreach (var line in r.Stdout.Split('\n').Where(l => l.StartsWith("/proc/")))
            Assert.True(line.EndsWith(':'), $"masked file is not empty in the box: {line}");
    }

    [Fact]
    public void Pressure_files_cannot_be_opened_for_writing_so_no_host_wide_trigger_is_registered()
    {
        var r = arena.C("psi_trigger", """
            int main(void) {
                const char *files[] = { "/proc/pressure/memory", "/proc/pressure/cpu", "/proc/pressure/io" };
                for (int i = 0; i < 3; i++) {
                    int fd = open(files[i], O_RDWR | O_NONBLOCK);
                    int e = errno;
                    long w = -1;
                    if (fd >= 0) { w = write(fd, "some 150000 2000000", 20); e = errno; }
                    printf("%s %d %ld %d\n", files[i], fd >= 0, w, e);
                }
                return 0;
            }
            """);
        Expect.Ok(r);
        if (!Directory.Exists("/proc/pressure")) return; // no PSI on this kernel: nothing to register
        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.True(line.EndsWith(" 0 -1 30"), $"a pressure file opened for writing (expected EROFS): {line}");
    }

    [Fact]
    public void Inotify_cannot_watch_what_the_host_or_another_box_opens()
    {
        var probe = arena.Programs.C("inotify_spy", HoldingBox.CHelper + """
            #include <sys/inotify.h>
            int main(void) {
                int fd = inotify_init1(IN_NONBLOCK);
                int e = errno, w = -1;
                if (fd >= 0) { w = inotify_add_watch(fd, "/usr/bin", IN_OPEN | IN_ACCESS); e = errno; }
                hold_until_the_host_is_done();
                char buf[4096]; long events = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
                printf("spy %d %d %d %ld\n", fd >= 0, w >= 0, e, events > 0 ? events : 0);
                return 0;
            }
            """);
        var (r, _) = HoldingBox.Run(arena, Arena.Spec(Holding, probe), () =>
        {
            // The host opens files the box would watch; a concurrent box runs a toolchain.
            for (var i = 0; i < 5; i++) File.ReadAllBytes("/usr/bin/env");
            return arena.RunUnchecked(Arena.Spec(null, "/usr/bin/env", "true"));
        });
        Expect.Ok(r);
        Assert.Equal("0 0 38 0", Expect.Report(r)["spy"]); // ENOSYS: no instance, no watch, no event
    }

    [Fact]
    public void Flock_on_a_read_only_host_file_cannot_block_the_host_or_another_box()
    {
        const string target = "/usr/bin/env"; // a host inode, bound read-only into every box
        var probe = arena.Programs.C("flock_hog", HoldingBox.CHelper + """
            #include <sys/file.h>
            int main(int argc, char **argv) {
                int fd = open(argv[1], O_RDONLY);
                int r = flock(fd, LOCK_EX | LOCK_NB);
                printf("flock %d %d\n", r, r < 0 ? errno : 0);
                hold_until_the_host_is_done();
                return 0;
            }
            """);
        var (r, hostLock) = HoldingBox.Run(arena, Arena.Spec(Holding, probe, target), () =>
        {
            var fd = open(target, 0);
            try { return flock(fd, 1 | 4) == 0 ? 0 : Marshal.GetLastPInvokeError(); } // LOCK_SH | LOCK_NB
            finally { close(fd); }
        });
        Expect.Ok(r);
        Assert.Equal("0 0", Expect.Report(r)["flock"]); // succeeds, locks nothing
        Assert.True(hostLock == 0, $"the host could not take a shared lock on {target} while a box held it: errno {hostLock}");
    }

    [Fact]
    public void Sync_from_a_box_does_not_write_back_the_hosts_dirty_data()
    {
        // 128 MiB of dirty page cache on the host's root file system, written just now, so the
        // kernel's own write-back (30 s expiry, 10 % background ratio) has not started on it.
        var scratch = Path.Combine("/var/tmp", $"runner-security-dirty-{Environment.ProcessId}");
        try
        {
            using (var dd = System.Diagnostics.Process.Start("dd", ["if=/dev/urandom", $"of={scratch}", "bs=1M", "count=128", "status=none"]))
                dd.WaitForExit();
            var before = DirtyKilobytes();
            var r = arena.C("syncer", """
                int main(void) {
                    int fd = open("/usr", O_RDONLY | O_DIRECTORY);
                    long a = syscall(SYS_sync), b = syscall(SYS_syncfs, fd);
                    printf("sync %ld %ld\n", a, b);
                    return 0;
                }
                """);
            var after = DirtyKilobytes();
            Expect.Ok(r);
            Assert.Equal("0 0", Expect.Report(r)["sync"]); // succeeds, does nothing
            Assert.True(before > 32 * 1024, $"the host had only {before} KiB dirty to begin with");
            Assert.True(after > before / 2, $"the host's dirty data fell from {before} KiB to {after} KiB when the box called sync()");
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    [Fact]
    public void The_box_inherits_neither_the_launchers_nice_value_nor_its_OOM_score_adjustment()
    {
        var ownScore = File.ReadAllText("/proc/self/oom_score_adj").Trim();
        try
        {
            // oom_score_adj is per process; nice is per thread, set on the launching thread below.
            // Lowering it needs CAP_SYS_RESOURCE (some VMs lack it); then at least show that a
            // raised value is not handed down as is.
            var launcher = TrySetOwnOomScoreAdj(-900) ? -900 : TrySetOwnOomScoreAdj(300) ? 300 : throw new InvalidOperationException("cannot set oom_score_adj");
            var probe = arena.Programs.C("priority_report", HoldingBox.CHelper + """
                #include <sys/resource.h>
                int main(void) {
                    errno = 0; int nice = getpriority(PRIO_PROCESS, 0);
                    char score[16] = { 0 }; int fd = open("/proc/self/oom_score_adj", O_RDONLY); read(fd, score, 15);
                    int w = open("/proc/self/oom_score_adj", O_WRONLY);
                    int lowered = w >= 0 && write(w, "-1000", 5) == 5;
                    printf("nice %d\nscore %d\nlowered %d\n", nice, atoi(score), lowered);
                    hold_until_the_host_is_done();
                    return 0;
                }
                """);
            var (r, host) = HoldingBox.Run(arena, Arena.Spec(Holding, probe), () =>
                BoxProcessIds().Select(pid =>
                    (Nice: int.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ')[17]),
                     Score: int.Parse(File.ReadAllText($"/proc/{pid}/oom_score_adj").Trim()))).ToList(),
                onLaunchingThread: () => Assert.Equal(0, setpriority(0, (uint)gettid(), -5)));
            Expect.Ok(r);
            var report = Expect.Report(r);
            Assert.Equal("0", report["nice"]);
            Assert.Equal("500", report["score"]);
            Assert.NotEqual(launcher.ToString(), report["score"]);
            Assert.Equal("0", report["lowered"]);
            Assert.NotEmpty(host);
            Assert.All(host, p => Assert.True(p.Nice == 0 && p.Score >= 500, $"a box process runs at nice {p.Nice}, oom_score_adj {p.Score}"));
        }
        finally
        {
            TrySetOwnOomScoreAdj(int.Parse(ownScore));
        }
    }

    private static bool TrySetOwnOomScoreAdj(int value)
    {
        try
        {
            File.WriteAllText("/proc/self/oom_score_adj", value.ToString());
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Processes running as one of the suite's box uids (see <see cref="Arena"/>).</summary>
    private static List<int> BoxProcessIds() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Where(pid =>
            {
                try
                {
                    var uid = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:")).Split('\t')[1];
                    return int.Parse(uid) is >= Arena.FirstBoxUid and < Arena.FirstBoxUid + 1000;
                }
                catch (IOException) { return false; }
            })
            .ToList();

    private static long DirtyKilobytes() =>
        long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("Dirty:"))[6..].Trim().Split(' ')[0]);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc")]
    private static partial int gettid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, uint who, int priority);
}
