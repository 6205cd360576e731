namespace Runner.Sandbox.Tests.Seccomp;

/// <summary>
/// What the compiled default filter answers, found by interpreting its BPF in C#. This covers the
/// calls that must never be attempted on the host, even as a probe.
/// </summary>
public class DefaultProfileSimulationTests
{
    private static readonly SeccompFilter F = SeccompFilter.Default;

    public static TheoryData<string> Denied() =>
    [
        "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
        "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
        "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
        "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
        "open_by_handle_at", "name_to_handle_at", "fanotify_init", "lookup_dcookie", "quotactl",
        "iopl", "ioperm", "modify_ldt", "syslog", "sethostname", "setdomainname", "vhangup",
        "mbind", "set_mempolicy", "migrate_pages", "move_pages", "uselib", "sysfs", "ustat",
    ];

    [Theory]
    [MemberData(nameof(Denied))]
    public void The_default_profile_denies_a_dangerous_syscall_with_EPERM(string name) =>
        Assert.Equal(SeccompFilter.Eperm, F.Eval(name));

    public static TheoryData<string> Allowed() =>
    [
        "read", "write", "openat", "close", "mmap", "mprotect", "munmap", "brk", "futex", "execve",
        "fork", "vfork", "wait4", "kill", "exit_group", "rt_sigaction", "clock_gettime", "getrandom",
        "epoll_wait", "pipe2", "memfd_create", "prlimit64", "sched_getaffinity", "arch_prctl",
        "set_robust_list", "rseq", "membarrier", "bind", "connect", "socketpair", "ioctl",
    ];

    [Theory]
    [MemberData(nameof(Allowed))]
    public void The_default_profile_allows_what_ordinary_programs_need(string name) =>
        Assert.Equal(SeccompFilter.Allow, F.Eval(name));

    [Theory]
    [InlineData(0x00020000UL)] // CLONE_NEWNS
    [InlineData(0x02000000UL)] // CLONE_NEWCGROUP
    [InlineData(0x04000000UL)] // CLONE_NEWUTS
    [InlineData(0x08000000UL)] // CLONE_NEWIPC
    [InlineData(0x10000000UL)] // CLONE_NEWUSER
    [InlineData(0x20000000UL)] // CLONE_NEWPID
    [InlineData(0x40000000UL)] // CLONE_NEWNET
    [InlineData(0xFFFFFFFF_7E020011UL)]
    public void The_default_profile_denies_clone_with_any_namespace_flag(ulong flags) =>
        Assert.Equal(SeccompFilter.Eperm, F.Eval("clone", flags));

    [Theory]
    [InlineData(0x11UL)]        // fork: SIGCHLD
    [InlineData(0x3D0F00UL)]    // glibc pthread_create's flags
    [InlineData(0x4111UL)]      // vfork-style CLONE_VM|CLONE_VFORK|SIGCHLD
    public void The_default_profile_allows_clone_for_threads_and_fork(ulong flags) =>
        Assert.Equal(SeccompFilter.Allow, F.Eval("clone", flags));

    [Fact]
    public void The_default_profile_makes_clone3_fail_with_ENOSYS_so_libc_falls_back_to_clone() =>
        Assert.Equal(SeccompFilter.Enosys, F.Eval("clone3"));

    [Theory]
    [InlineData(0UL, true)]
    [InlineData(0xFFFFFFFFUL, true)]
    [InlineData(0x0040000UL, false)]   // ADDR_NO_RANDOMIZE
    [InlineData(0x0008UL, false)]      // PER_LINUX32
    [InlineData(0x1_00000000UL, false)] // upper bits the kernel would truncate away
    public void The_default_profile_allows_personality_only_for_PER_LINUX_and_the_query(ulong persona, bool allowed) =>
        Assert.Equal(allowed ? SeccompFilter.Allow : SeccompFilter.Eperm, F.Eval("personality", persona));

    [Theory]
    [InlineData(1UL, true)]   // AF_UNIX
    [InlineData(2UL, true)]   // AF_INET
    [InlineData(10UL, true)]  // AF_INET6
    [InlineData(16UL, false)] // AF_NETLINK
    [InlineData(17UL, false)] // AF_PACKET
    [InlineData(38UL, false)] // AF_ALG
    [InlineData(0x1_00000002UL, false)]
    public void The_default_profile_allows_only_unix_and_inet_sockets(ulong family, bool allowed) =>
        Assert.Equal(allowed ? SeccompFilter.Allow : SeccompFilter.Eperm, F.Eval("socket", family));

    [Theory]
    [InlineData(20)]  // i386 getpid
    [InlineData(1)]   // i386 exit
    [InlineData(11)]  // i386 execve
    [InlineData(120)] // i386 clone
    public void The_default_profile_denies_every_32_bit_syscall_with_EPERM(int nr) =>
        Assert.Equal(SeccompFilter.Eperm, F.Eval(nr, SeccompFilter.I386));

    [Theory]
    [InlineData(39)]  // getpid
    [InlineData(0)]   // read
    [InlineData(520)] // x32 execve
    public void The_default_profile_denies_every_x32_syscall_with_EPERM(int nr) =>
        Assert.Equal(SeccompFilter.Eperm, F.Eval(0x40000000 | nr, SeccompFilter.X86_64));

    [Fact]
    public void The_default_profile_denies_unknown_architectures_with_EPERM() =>
        Assert.Equal(SeccompFilter.Eperm, F.Eval(39, 0xC00000B7)); // AUDIT_ARCH_AARCH64
}
