using System.Runtime.InteropServices;
using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>
/// Attempts to leave the box or gain privilege. Probes print "name result errno"; a result of
/// -1 with EPERM (the default seccomp profile's answer, or the kernel's) means refused.
/// </summary>
[Collection("Attacks")]
public class EscapeAttacks(Arena arena)
{
    private const int EPERM = 1, ENOSYS = 38;

    /// <summary>Every "name result errno" line must be a refusal.</summary>
    private static void AllRefused(SandboxResult r, int expectedLines, params int[] errnos)
    {
        Expect.Ok(r);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == expectedLines, Arena.Describe(r));
        foreach (var line in lines)
        {
            var p = line.Split(' ');
            Assert.True(p[1] == "-1" && errnos.Contains(int.Parse(p[2])), $"not refused: {line}\n{Arena.Describe(r)}");
        }
    }

    [Fact]
    public void Ptrace_and_process_vm_readv_are_refused_even_on_the_programs_own_child()
    {
        var r = arena.C("ptrace", """
            #include <sys/ptrace.h>
            #include <sys/uio.h>
            int main(void) {
                pid_t child = fork();
                if (child == 0) { pause(); _exit(0); }
                TRY("attach_child", ptrace(PTRACE_ATTACH, child, 0, 0));
                TRY("seize_child", ptrace(PTRACE_SEIZE, child, 0, 0));
                TRY("attach_init", ptrace(PTRACE_ATTACH, 1, 0, 0));
                char buf[16]; struct iovec local = { buf, sizeof buf }, remote = { (void *)0x400000, sizeof buf };
                TRY("vm_readv_child", process_vm_readv(child, &local, 1, &remote, 1, 0));
                TRY("vm_writev_child", process_vm_writev(child, &local, 1, &remote, 1, 0));
                TRY("vm_readv_init", process_vm_readv(1, &local, 1, &remote, 1, 0));
                kill(child, SIGKILL);
                return 0;
            }
            """);
        AllRefused(r, 6, EPERM);
    }

    [Fact]
    public void Mount_umount_pivot_root_and_chroot_are_refused_and_the_root_stays_read_only()
    {
        var r = arena.C("mounts", """
            #include <sys/mount.h>
            int main(void) {
                mkdir("/tmp/m", 0755);
                TRY("mount_tmpfs", mount("tmpfs", "/tmp/m", "tmpfs", 0, 0));
                TRY("bind_usr", mount("/usr", "/tmp/m", 0, MS_BIND, 0));
                TRY("remount_root_rw", mount(0, "/", 0, MS_REMOUNT | MS_BIND, 0));
                TRY("umount_proc", umount2("/proc", MNT_DETACH));
                TRY("umount_usr", umount2("/usr", 0));
                TRY("pivot_root", syscall(SYS_pivot_root, "/tmp", "/tmp/m"));
                TRY("chroot", chroot("/tmp"));
                TRY("write_root", open("/escape", O_WRONLY | O_CREAT, 0644));
                return 0;
            }
            """);
        Expect.Ok(r);
        var lines = r.Stdout.Trim().Split('\n');
        Assert.True(lines.Length == 8, Arena.Describe(r));
        foreach (var line in lines[..^1]) Assert.True(line.EndsWith(" -1 1"), $"not refused: {line}");
        Assert.Equal("write_root -1 30", lines[^1]); // EROFS
    }

    [Fact]
    public void Unshare_setns_and_clone_with_namespace_flags_are_refused()
    {
        var r = arena.C("namespaces", """
            #include <linux/sched.h>
            int main(void) {
                struct { const char *name; int flag; } ns[] = {
                    { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID },
                    { "uts", CLONE_NEWUTS }, { "ipc", CLONE_NEWIPC }, { "cgroup", CLONE_NEWCGROUP }, { "time", 0x80 } };
                for (int i = 0; i < 8; i++) {
                    char name[32]; snprintf(name, sizeof name, "unshare_%s", ns[i].name); TRY(name, unshare(ns[i].flag));
                    if (ns[i].flag == 0x80) continue; /* CLONE_NEWTIME overlaps clone()'s exit-signal bits: unshare only */
                    long pid = syscall(SYS_clone, ns[i].flag | SIGCHLD, 0, 0, 0, 0);
                    if (pid == 0) _exit(0);
                    snprintf(name, sizeof name, "clone_%s", ns[i].name); printf("%s %ld %d\n", name, pid < 0 ? -1L : 0L, errno);
                }
                int fd = open("/proc/self/ns/net", O_RDONLY);
                TRY("setns_net", setns(fd, 0));
                struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
                long pid = syscall(SYS_clone3, &args, sizeof args);
                if (pid == 0) _exit(0);
                printf("clone3_user %ld %d\n", pid < 0 ? -1L : 0L, errno);
                return 0;
            }
            """);
        // clone3 answers ENOSYS (so libc falls back to clone, whose flags the filter can inspect).
        AllRefused(r, 17, EPERM, ENOSYS);
    }

    [Fact]
    public void Kernel_attack_surface_syscalls_keyctl_bpf_perf_userfaultfd_io_uring_and_modules_are_refused()
    {
        var r = arena.C("kernel_surface", """
            int main(void) {
                TRY("keyctl", syscall(SYS_keyctl, 0, -3, 0, 0, 0));
                TRY("add_key", syscall(SYS_add_key, "user", "k", "v", 1, -3));
                TRY("request_key", syscall(SYS_request_key, "user", "k", 0, 0));
                TRY("bpf", syscall(SYS_bpf, 5, 0, 0));
                TRY("perf_event_open", syscall(SYS_perf_event_open, 0, 0, -1, -1, 0));
                TRY("userfaultfd", syscall(SYS_userfaultfd, 0));
                TRY("io_uring_setup", syscall(425, 1, 0));
                TRY("init_module", syscall(SYS_init_module, 0, 0, ""));
                TRY("finit_module", syscall(SYS_finit_module, -1, "", 0));
                TRY("delete_module", syscall(SYS_delete_module, "x", 0));
                TRY("kexec_load", syscall(SYS_kexec_load, 0, 0, 0, 0));
                TRY("open_by_handle_at", syscall(SYS_open_by_handle_at, 0, 0, 0));
                TRY("name_to_handle_at", syscall(SYS_name_to_handle_at, 0, "/", 0, 0, 0));
                TRY("fanotify_init", syscall(SYS_fanotify_init, 0, 0));
                TRY("swapon", syscall(SYS_swapon, "/tmp/x", 0));
                TRY("acct", syscall(SYS_acct, "/tmp/x"));
                TRY("settimeofday", syscall(SYS_settimeofday, 0, 0));
                TRY("iopl", syscall(SYS_iopl, 3));
                TRY("ioperm", syscall(SYS_ioperm, 0x80, 1, 1));
                return 0;
            }
            """);
        AllRefused(r, 19, EPERM);
    }

    /// <summary>A foreign syscall ABI must not be a way around the filter: the call must be refused or the process killed.</summary>
    private const string ForeignAbiProbe = """
        /* Runs one foreign-ABI call in a child; the parent reports how it ended. */
        static void report(const char *name, long (*call)(void)) {
            int p[2]; pipe(p);
            pid_t child = fork();
            if (child == 0) { long r = call(); write(p[1], &r, sizeof r); _exit(0); }
            close(p[1]);
            long r = 0; ssize_t got = read(p[0], &r, sizeof r);
            int status; waitpid(child, &status, 0);
            if (got != sizeof r) printf("%s killed %d\n", name, WIFSIGNALED(status) ? WTERMSIG(status) : -1);
            else printf("%s returned %ld\n", name, r);
        }
        """;

    [Fact]
    public void The_32_bit_int_0x80_syscall_ABI_cannot_get_around_the_filter()
    {
        var r = arena.C("int80", ForeignAbiProbe + """
            static long i386_getpid(void) { long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory"); return r; }
            static long i386_unshare_user(void) { long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(310L), "b"(0x10000000L) : "memory"); return r; }
            static long i386_mount(void) { long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(21L), "b"(0L), "c"(0L), "d"(0L) : "memory"); return r; }
            int main(void) { report("getpid", i386_getpid); report("unshare", i386_unshare_user); report("mount", i386_mount); return 0; }
            """);
        ForeignAbiRefused(r, 3);
    }

    [Fact]
    public void The_x32_syscall_ABI_cannot_get_around_the_filter()
    {
        var r = arena.C("x32", ForeignAbiProbe + """
            static long x32_getpid(void) { return syscall(0x40000000L | 39); }
            static long x32_unshare_user(void) { return syscall(0x40000000L | 272, 0x10000000L); }
            static long x32_ptrace(void) { return syscall(0x40000000L | 521, 16L, 1L, 0L, 0L); }
            int main(void) { report("getpid", x32_getpid); report("unshare", x32_unshare_user); report("ptrace", x32_ptrace); return 0; }
            """);
        ForeignAbiRefused(r, 3);
    }

    private static void ForeignAbiRefused(SandboxResult r, int calls)
    {
        Expect.Ok(r);
        var lines = r.Stdout.Trim().Split('\n');
        Assert.True(lines.Length == calls, Arena.Describe(r));
        foreach (var line in lines)
        {
            var p = line.Split(' ');
            // Killed (SIGSYS / SIGKILL), or refused with a negative errno (int 0x80 returns -errno in eax).
            var refused = p[1] == "killed" || (p[1] == "returned" && long.Parse(p[2]) < 0);
            Assert.True(refused, $"foreign ABI call got through: {line}\n{Arena.Describe(r)}");
        }
    }

    [Fact]
    public void Mknod_of_device_nodes_is_refused_and_no_host_device_is_reachable()
    {
        var r = arena.C("mknod", """
            #include <sys/sysmacros.h>
            int main(void) {
                TRY("mknod_mem", mknod("/tmp/mem", S_IFCHR | 0666, makedev(1, 1)));
                TRY("mknod_disk", mknod("/tmp/sda", S_IFBLK | 0666, makedev(8, 0)));
                TRY("mknod_box", mknod("/box/kmsg", S_IFCHR | 0666, makedev(1, 11)));
                TRY("mknodat_dev", mknodat(AT_FDCWD, "/dev/kmsg", S_IFCHR | 0666, makedev(1, 11)));
                TRY("open_dev_mem", open("/dev/mem", O_RDONLY));
                TRY("open_dev_kmsg", open("/dev/kmsg", O_RDONLY));
                return 0;
            }
            """);
        Expect.Ok(r);
        var report = Expect.Report(r);
        foreach (var name in new[] { "mknod_mem", "mknod_disk", "mknod_box" }) Assert.Equal("-1 1", report[name]);
        Assert.StartsWith("-1 ", report["mknodat_dev"]); // /dev is a sealed read-only tmpfs: EPERM or EROFS
        Assert.Equal("-1 2", report["open_dev_mem"]);
        Assert.Equal("-1 2", report["open_dev_kmsg"]);
    }

    [Fact]
    public void Setuid_and_file_capability_binaries_grant_nothing()
    {
        // Our own probe, made setuid-root and given file capabilities on the host.
        var status = arena.Programs.C("status", """
            int main(void) {
                FILE *f = fopen("/proc/self/status", "r"); char line[256];
                while (fgets(line, sizeof line, f))
                    if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) || !strncmp(line, "Uid", 3)) fputs(line, stdout);
                return 0;
            }
            """);
        var hostStatus = Path.Combine(arena.Programs.Directory, "status");
        var setuid = hostStatus + "-setuid";
        var fileCaps = hostStatus + "-filecaps";
        File.Copy(hostStatus, setuid, true);
        File.Copy(hostStatus, fileCaps, true);
        File.SetUnixFileMode(setuid, (UnixFileMode)0xded); // 04755
        Arena.Chown(setuid, 0, 0);
        var setcap = System.Diagnostics.Process.Start("setcap", ["cap_sys_admin,cap_setuid,cap_dac_override+eip", fileCaps])
            ?? throw new InvalidOperationException("setcap missing: apt-get install libcap2-bin");
        setcap.WaitForExit();
        Assert.True(setcap.ExitCode == 0, "setcap failed (apt-get install libcap2-bin)");

        var r = arena.Sh($"""
            {status}-setuid; echo ---; {status}-filecaps; echo ---
            su -c 'cat /proc/self/status' 2>/dev/null | grep -E '^Cap(Prm|Eff)'; echo ---
            grep -E ' /usr ' /proc/self/mountinfo
            """);
        Expect.Ok(r);
        var parts = r.Stdout.Split("---\n");
        foreach (var part in parts[..3])
            foreach (var line in part.Split('\n').Where(l => l.StartsWith("CapPrm") || l.StartsWith("CapEff") || l.StartsWith("CapAmb")))
                Assert.True(line.EndsWith("\t0000000000000000"), $"a privileged binary gained capabilities: {line}\n{r.Stdout}");
        Assert.Contains("NoNewPrivs:\t1", parts[0]);
        Assert.Contains("Uid:\t0\t0\t0\t0", parts[0]); // the box's own root, never another uid
        Assert.Contains("nosuid", parts[3]);
    }

    [Fact]
    public void Writing_proc_sys_and_sysrq_trigger_is_refused_and_host_settings_stay()
    {
        var corePattern = File.ReadAllText("/proc/sys/kernel/core_pattern");
        var r = arena.Sh("""
            # Each write repeats the current value, so even a broken box could change nothing.
            cat /proc/sys/kernel/core_pattern > /tmp/core_pattern
            (cat /tmp/core_pattern > /proc/sys/kernel/core_pattern) 2>&1 | sed 's/.*: //'
            (cat /proc/sys/kernel/pid_max > /proc/sys/kernel/pid_max) 2>&1 | sed 's/.*: //'
            test -e /proc/sysrq-trigger && { (printf h > /proc/sysrq-trigger) 2>&1 | sed 's/.*: //'; } || echo absent
            """);
        Expect.Ok(r);
        var lines = r.Stdout.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        foreach (var line in lines) Assert.True(line is "Read-only file system" or "Permission denied" or "absent", r.Stdout);
        Assert.Equal(corePattern, File.ReadAllText("/proc/sys/kernel/core_pattern"));
    }

    [Fact]
    public void Sys_and_the_cgroup_filesystem_are_not_mounted_and_cannot_be_mounted()
    {
        var r = arena.C("cgroupfs", """
            #include <sys/mount.h>
            int main(void) {
                printf("sys %d\n", access("/sys", F_OK));
                mkdir("/tmp/cg", 0755);
                errno = 0; int m1 = mount("cgroup", "/tmp/cg", "cgroup", 0, "memory"); printf("mount_cgroup %d %d\n", m1, errno);
                errno = 0; int m2 = mount("cgroup2", "/tmp/cg", "cgroup2", 0, 0); printf("mount_cgroup2 %d %d\n", m2, errno);
                errno = 0; int m3 = mount("sysfs", "/tmp/cg", "sysfs", 0, 0); printf("mount_sysfs %d %d\n", m3, errno);
                FILE *f = fopen("/proc/self/mountinfo", "r"); char line[512]; int cg = 0;
                while (fgets(line, sizeof line, f)) if (strstr(line, "cgroup") || strstr(line, "sysfs")) cg++;
                printf("cgroup_mounts %d\n", cg);
                f = fopen("/proc/self/cgroup", "r"); int rooted = 1;
                while (fgets(line, sizeof line, f)) { char *path = strrchr(line, ':'); if (!path || strcmp(path, ":/\n")) rooted = 0; }
                printf("cgroup_paths_rooted %d\n", rooted);
                return 0;
            }
            """);
        Expect.Ok(r);
        var report = Expect.Report(r);
        Assert.Equal("-1", report["sys"]);
        Assert.Equal("-1 1", report["mount_cgroup"]);
        Assert.Equal("-1 1", report["mount_cgroup2"]);
        Assert.Equal("-1 1", report["mount_sysfs"]);
        Assert.Equal("0", report["cgroup_mounts"]);
        Assert.Equal("1", report["cgroup_paths_rooted"]);
    }

    [Fact]
    public void The_program_has_no_capabilities_and_no_new_privileges_and_cannot_regain_them()
    {
        var r = arena.C("caps", """
            #include <linux/capability.h>
            #include <sys/prctl.h>
            int main(void) {
                FILE *f = fopen("/proc/self/status", "r"); char line[256];
                while (fgets(line, sizeof line, f))
                    if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) || !strncmp(line, "Seccomp:", 8)) fputs(line, stdout);
                struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
                struct __user_cap_data_struct d[2] = { { ~0u, ~0u, ~0u }, { ~0u, ~0u, ~0u } };
                errno = 0; long c = syscall(SYS_capset, &h, d); printf("capset %ld %d\n", c, errno);
                errno = 0; long a = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 21, 0, 0); printf("ambient_raise %ld %d\n", a, errno);
                errno = 0; long n = prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0); printf("clear_nnp %ld %d\n", n, errno);
                errno = 0; long s = prctl(PR_SET_SECUREBITS, 0, 0, 0, 0); printf("securebits %ld %d\n", s, errno);
                return 0;
            }
            """);
        Expect.Ok(r);
        foreach (var cap in new[] { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" })
            Assert.Contains($"{cap}:\t0000000000000000\n", r.Stdout);
        Assert.Contains("NoNewPrivs:\t1\n", r.Stdout);
        Assert.Contains("Seccomp:\t2\n", r.Stdout);
        var report = Expect.Report(r);
        Assert.Equal("-1 1", report["capset"]);
        Assert.StartsWith("-1 ", report["ambient_raise"]);
        Assert.StartsWith("-1 ", report["clear_nnp"]);
        Assert.Equal("-1 1", report["securebits"]);
    }

    [Fact]
    public void Terminal_injection_with_TIOCSTI_is_impossible_because_no_stdio_is_a_terminal()
    {
        // ioctl is not filtered by command (see seccomp/README.md); this is why that is safe.
        var r = arena.C("tiocsti", """
            #include <sys/ioctl.h>
            int main(void) {
                char c = 'x';
                for (int fd = 0; fd < 3; fd++) { char name[16]; snprintf(name, sizeof name, "tiocsti_%d", fd); TRY(name, ioctl(fd, TIOCSTI, &c)); }
                TRY("open_tty", open("/dev/tty", O_RDWR));
                TRY("open_console", open("/dev/console", O_RDWR));
                return 0;
            }
            """);
        Expect.Ok(r);
        foreach (var line in r.Stdout.Trim().Split('\n'))
            Assert.True(line.Split(' ')[1] == "-1", $"a terminal was reachable: {line}");
        Assert.Equal(5, r.Stdout.Trim().Split('\n').Length);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc")]
    private static extern int close(int fd);

    [Fact]
    public void No_file_descriptor_of_the_worker_leaks_into_the_box()
    {
        // A deliberately inheritable fd (no O_CLOEXEC) on the host secret, open in the worker during the run.
        var leak = open(arena.SecretFile, 0);
        Assert.True(leak >= 0);
        try
        {
            var r = arena.C("fds", """
                int main(void) {
                    for (int fd = 0; fd < 65536; fd++) {
                        if (fcntl(fd, F_GETFD) < 0) continue;
                        char link[64], target[256] = { 0 }; snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
                        readlink(link, target, sizeof target - 1);
                        char data[64] = { 0 }; if (fd > 2) pread(fd, data, sizeof data - 1, 0);
                        printf("fd %d %s %s\n", fd, target, data);
                    }
                    return 0;
                }
                """);
            Expect.Ok(r);
            var lines = r.Stdout.Trim().Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.StartsWith("fd 0 /dev/null", lines[0]);
            Assert.StartsWith("fd 1 pipe:", lines[1]);
            Assert.StartsWith("fd 2 pipe:", lines[2]);
            Assert.DoesNotContain(Arena.Secret, r.Stdout);
        }
        finally
        {
            close(leak);
        }
    }
}
