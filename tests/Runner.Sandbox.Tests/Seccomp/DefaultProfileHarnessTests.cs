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
}
