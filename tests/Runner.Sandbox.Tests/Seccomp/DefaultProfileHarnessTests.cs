using Runner.Sandbox.Seccomp;

namespace Runner.Sandbox.Tests.Seccomp;

/// <summary>
/// The default filter installed for real by harness/seccomp_probe.c, which then makes one call.
/// Every probe is harmless even without the filter (see the comment at the top of the harness).
/// </summary>
public class DefaultProfileHarnessTests
{
    private const int EPERM = 1, ENOSYS = 38;

    private static readonly Lazy<string> FilterFile = new(() =>
    {
        var path = Path.Combine(NativeHelpers.NewTempDir(), "default.bpf");
        File.WriteAllBytes(path, SeccompProfile.LoadDefault().CompileBpf());
        return path;
    });

    private static (long Ret, int Errno) Probe(string probe, string? arg = null, bool filtered = true)
    {
        List<string> args = [filtered ? FilterFile.Value : "-", probe];
        if (arg is not null) args.Add(arg);
        var (code, stdout, stderr) = NativeHelpers.Run(NativeHelpers.ProbePath, args, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"probe {probe} exited with {code}: {stdout}{stderr}");
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        var parts = line.Split(' ').Select(p => p.Split('=')[1]).ToArray();
        return (long.Parse(parts[0]), int.Parse(parts[1]));
    }

    private static void AssertDenied(string probe, int errno = EPERM, string? arg = null)
    {
        var (ret, e) = Probe(probe, arg);
        Assert.Equal((-1L, errno), (ret, e));
    }

    [Fact]
    public void The_default_profile_denies_ptrace_with_EPERM()
    {
        AssertDenied("ptrace");
        Assert.NotEqual(EPERM, Probe("ptrace", filtered: false).Errno); // so EPERM above came from the filter
    }

    [Fact]
    public void The_default_profile_denies_unshare_of_a_user_namespace_with_EPERM() => AssertDenied("unshare_newuser");

    [Fact]
    public void The_default_profile_denies_clone_with_CLONE_NEWNS_with_EPERM() => AssertDenied("clone_newns");

    [Fact]
    public void The_default_profile_denies_clone_with_CLONE_NEWUSER_with_EPERM() => AssertDenied("clone_newuser");

    [Theory]
    [InlineData("keyctl")]
    [InlineData("bpf")]
    [InlineData("perf_event_open")]
    [InlineData("userfaultfd")]
    [InlineData("io_uring_setup")]
    [InlineData("process_vm_readv")]
    [InlineData("setns")]
    [InlineData("socket_netlink")]
    [InlineData("personality_no_aslr")]
    public void The_default_profile_denies_a_dangerous_call_with_EPERM(string probe) => AssertDenied(probe);

    [Theory]
    [InlineData("mount")]
    [InlineData("umount2")]
    [InlineData("chroot")]
    [InlineData("pivot_root")]
    public void The_default_profile_denies_filesystem_root_changes_with_EPERM(string probe)
    {
        // A path inside a private temp dir that does not exist: unfiltered, the call fails with ENOENT.
        var target = Path.Combine(NativeHelpers.NewTempDir(), "absent");
        AssertDenied(probe, arg: target);
        Assert.NotEqual(EPERM, Probe(probe, target, filtered: false).Errno);
    }

    [Fact]
    public void The_default_profile_denies_x32_syscalls_with_EPERM()
    {
        AssertDenied("x32_getpid");
        Assert.Equal(ENOSYS, Probe("x32_getpid", filtered: false).Errno); // this kernel has no x32 ABI
    }

    [Fact]
    public void The_default_profile_denies_int_0x80_syscalls_with_EPERM()
    {
        AssertDenied("int80_getpid");
        Assert.True(Probe("int80_getpid", filtered: false).Ret > 0, "int 0x80 getpid works unfiltered on this kernel");
    }

    [Fact]
    public void The_default_profile_makes_clone3_fail_with_ENOSYS() => AssertDenied("clone3", ENOSYS);

    [Theory]
    [InlineData("getpid")]
    [InlineData("write")]
    [InlineData("mmap")]
    [InlineData("thread")]
    [InlineData("personality_query")]
    [InlineData("socket_inet")]
    [InlineData("socket_unix")]
    public void The_default_profile_allows_an_ordinary_call(string probe)
    {
        var (ret, errno) = Probe(probe);
        Assert.True(ret >= 0 && errno == 0, $"{probe}: ret={ret} errno={errno}");
    }

    [Theory]
    [InlineData("fork")]
    [InlineData("clone")]
    public void The_default_profile_lets_a_plain_fork_run_its_child(string probe) =>
        Assert.Equal((7L, 0), Probe(probe)); // the child exits with 7

    private static string Exec(string workDir, params string[] argv)
    {
        var (code, stdout, stderr) = NativeHelpers.Run("/bin/sh",
            ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", workDir, NativeHelpers.ProbePath, FilterFile.Value, "exec", .. argv],
            TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"{string.Join(' ', argv)} exited with {code} under the default profile:\n{stdout}{stderr}");
        return stdout;
    }

    [Fact]
    public void A_shell_pipeline_runs_under_the_default_profile() =>
        Assert.Equal("ok 3\n", Exec("/", "/bin/sh", "-c", "printf 'a\\nb\\nc\\n' | wc -l | (read n; echo ok $n)"));

    [Fact]
    public void Python_with_threads_and_subprocesses_runs_under_the_default_profile() =>
        Assert.Equal("t\nsub\n[1, 2]\n", Exec("/", "python3", "-c",
            "import threading, subprocess, multiprocessing as m\n"
            + "t = threading.Thread(target=print, args=('t',)); t.start(); t.join()\n"
            + "print(subprocess.run(['echo', 'sub'], capture_output=True, text=True).stdout, end='')\n"
            + "with m.Pool(2) as p: print(p.map(abs, [-1, -2]))"));

    [Fact]
    public void Gcc_and_gxx_compile_and_the_result_runs_under_the_default_profile()
    {
        var dir = NativeHelpers.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "a.c"), "#include <stdio.h>\nint main(void) { puts(\"c\"); return 0; }\n");
        File.WriteAllText(Path.Combine(dir, "b.cpp"), "#include <iostream>\n#include <thread>\nint main() { std::thread t([] { std::cout << \"cpp\\n\"; }); t.join(); }\n");
        Exec(dir, "gcc", "-O2", "-o", "a", "a.c");
        Exec(dir, "g++", "-O2", "-pthread", "-o", "b", "b.cpp");
        Assert.Equal("c\n", Exec(dir, "./a"));
        Assert.Equal("cpp\n", Exec(dir, "./b"));
    }

    [Fact]
    public void Javac_and_the_JVM_run_under_the_default_profile()
    {
        var dir = NativeHelpers.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "Main.java"),
            "public class Main { public static void main(String[] a) throws Exception { Thread t = new Thread(() -> System.out.println(\"java\")); t.start(); t.join(); } }\n");
        Exec(dir, "javac", "Main.java");
        Assert.Equal("java\n", Exec(dir, "java", "-cp", ".", "Main"));
    }

    [Fact]
    public void Node_runs_under_the_default_profile() =>
        Assert.Equal("node\n", Exec("/", "node", "-e", "require('child_process').execSync('true'); console.log('node')"));
}
