namespace Runner.Sandbox.Tests.Box;

/// <summary>
/// Each probe runs only inside a box and checks that it is in one (hostname sandbox, pid 2)
/// before it tries anything, so a containment failure can never turn it loose on the host.
/// </summary>
[Collection("Boxes")]
public class SeccompInBoxTests
{
    private const string Probe = """
        import ctypes, os, socket, sys
        if socket.gethostname() != 'sandbox' or os.getpid() > 10:
            sys.exit('refusing to probe outside a box')
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def call(name, nr, *args):
            ctypes.set_errno(0)
            r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])
            print(name, r, ctypes.get_errno())
        os.makedirs('/tmp/scratch', exist_ok=True)
        call('ptrace', 101, 16, 1, 0, 0)                 # PTRACE_ATTACH to our own init
        call('process_vm_readv', 310, 1, 0, 0, 0, 0, 0)
        call('mount', 165, 0, id(b'/tmp/scratch'), 0, 0, 0)
        call('umount2', 166, 0, 0)
        call('unshare', 272, 0x10000000)                 # CLONE_NEWUSER
        call('setns', 308, 0, 0)
        call('clone_newns', 56, 0x00020000 | 17, 0, 0, 0, 0)
        call('keyctl', 250, 0, 0, 0, 0, 0)
        call('bpf', 321, 0, 0, 0)
        call('perf_event_open', 298, 0, 0, -1, -1, 0)
        call('userfaultfd', 323, 0)
        call('io_uring_setup', 425, 1, 0)
        call('chroot', 161, 0)
        call('pivot_root', 155, 0, 0)
        call('acct', 163, 0)
        call('open_by_handle_at', 304, 0, 0, 0)
        call('add_key', 248, 0, 0, 0, 0, 0)
        call('getpid', 39)
        """;

    [Fact]
    public void The_default_seccomp_profile_denies_escape_and_kernel_attack_syscalls_with_EPERM()
    {
        var r = BoxRunner.Python(Probe);
        Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
        var results = r.Stdout.Trim().Split('\n').Select(l => l.Split(' ')).ToDictionary(p => p[0], p => (Result: long.Parse(p[1]), Errno: int.Parse(p[2])));
        foreach (var (name, (result, errno)) in results)
        {
            if (name == "getpid")
            {
                Assert.Equal(2, result);
                continue;
            }
            Assert.True(result == -1 && errno == 1, $"{name} returned {result} with errno {errno}, expected EPERM");
        }
        Assert.Equal(18, results.Count);
    }

    [Fact]
    public void With_seccomp_none_no_filter_is_loaded_but_capabilities_stay_dropped()
    {
        var r = BoxRunner.Run(new SandboxSpec { Argv = ["/bin/grep", "-E", "^(CapEff|NoNewPrivs|Seccomp):", "/proc/self/status"], Seccomp = "none" });
        Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
        Assert.Equal("CapEff:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t0\n", r.Stdout);
    }

    [Fact]
    public void A_32_bit_int_0x80_syscall_is_denied()
    {
        var dir = Directory.CreateTempSubdirectory("runner-int80-");
        try
        {
            File.SetUnixFileMode(dir.FullName, (UnixFileMode)0x1ed);
            var source = Path.Combine(dir.FullName, "int80.c");
            File.WriteAllText(source, """
                #include <stdio.h>
                #include <unistd.h>
                #include <string.h>
                int main(void) {
                    char host[64]; gethostname(host, sizeof host);
                    if (strcmp(host, "sandbox") != 0 || getpid() > 10) return 99;
                    long r;
                    /* 32-bit getpid (20) through the i386 entry point. */
                    __asm__ volatile ("int $0x80" : "=a"(r) : "a"(20L) : "memory");
                    printf("%ld\n", r);
                    return 0;
                }
                """);
            var compile = System.Diagnostics.Process.Start("gcc", ["-O0", "-o", Path.Combine(dir.FullName, "int80"), source])!;
            compile.WaitForExit();
            Assert.Equal(0, compile.ExitCode);
            var r = BoxRunner.Run(new SandboxSpec { Argv = ["/probe/int80"], Binds = [new BindMount(dir.FullName, "/probe")] });
            Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
            Assert.Equal("-1\n", r.Stdout); // -EPERM from the filter instead of a pid
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
