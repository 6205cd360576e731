using System.Diagnostics;
using System.Reflection;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Tests.Native;

/// <summary>
/// Every syscall number, flag and struct size the plan builder uses, compared with what the
/// C headers say on this machine (compiled with gcc at test time).
/// </summary>
public class KernelConstantsTests
{
    private static readonly (string CSharp, string C)[] Pairs =
    [
        ("Sys.Read", "SYS_read"), ("Sys.Write", "SYS_write"), ("Sys.Close", "SYS_close"), ("Sys.Ioctl", "SYS_ioctl"),
        ("Sys.RtSigaction", "SYS_rt_sigaction"), ("Sys.RtSigprocmask", "SYS_rt_sigprocmask"), ("Sys.Socket", "SYS_socket"),
        ("Sys.Execve", "SYS_execve"), ("Sys.Chdir", "SYS_chdir"), ("Sys.Capset", "SYS_capset"), ("Sys.SetResUid", "SYS_setresuid"),
        ("Sys.SetResGid", "SYS_setresgid"), ("Sys.SetGroups", "SYS_setgroups"), ("Sys.PivotRoot", "SYS_pivot_root"),
        ("Sys.Prctl", "SYS_prctl"), ("Sys.Mount", "SYS_mount"), ("Sys.Umount2", "SYS_umount2"), ("Sys.SetHostname", "SYS_sethostname"),
        ("Sys.Unshare", "SYS_unshare"), ("Sys.Openat", "SYS_openat"), ("Sys.Mkdirat", "SYS_mkdirat"), ("Sys.Mknodat", "SYS_mknodat"),
        ("Sys.Symlinkat", "SYS_symlinkat"), ("Sys.Dup3", "SYS_dup3"), ("Sys.Prlimit64", "SYS_prlimit64"), ("Sys.Seccomp", "SYS_seccomp"),
        ("Sys.CloseRange", "SYS_close_range"), ("Sys.PidfdSendSignal", "SYS_pidfd_send_signal"), ("Sys.PidfdOpen", "SYS_pidfd_open"),
        ("Sys.Openat2", "SYS_openat2"),
        ("Flags.CloneNewNs", "CLONE_NEWNS"), ("Flags.CloneNewCgroup", "CLONE_NEWCGROUP"), ("Flags.CloneNewUts", "CLONE_NEWUTS"),
        ("Flags.CloneNewIpc", "CLONE_NEWIPC"), ("Flags.CloneNewUser", "CLONE_NEWUSER"), ("Flags.CloneNewPid", "CLONE_NEWPID"),
        ("Flags.CloneNewNet", "CLONE_NEWNET"), ("Flags.MsRdonly", "MS_RDONLY"), ("Flags.MsNosuid", "MS_NOSUID"),
        ("Flags.MsNodev", "MS_NODEV"), ("Flags.MsNoexec", "MS_NOEXEC"), ("Flags.MsRemount", "MS_REMOUNT"), ("Flags.MsBind", "MS_BIND"),
        ("Flags.MsRec", "MS_REC"), ("Flags.MsPrivate", "MS_PRIVATE"), ("Flags.MntDetach", "MNT_DETACH"), ("Flags.AtFdcwd", "AT_FDCWD"),
        ("Flags.OWronly", "O_WRONLY"), ("Flags.OCreat", "O_CREAT"), ("Flags.OExcl", "O_EXCL"), ("Flags.OCloexec", "O_CLOEXEC"),
        ("Flags.SIfreg", "S_IFREG"), ("Flags.AfInet", "AF_INET"), ("Flags.SockDgram", "SOCK_DGRAM"), ("Flags.SockCloexec", "SOCK_CLOEXEC"),
        ("Flags.SiocSifflags", "SIOCSIFFLAGS"), ("Flags.IffUp", "IFF_UP"), ("Flags.IffRunning", "IFF_RUNNING"),
        ("Flags.PrSetNoNewPrivs", "PR_SET_NO_NEW_PRIVS"), ("Flags.PrCapbsetDrop", "PR_CAPBSET_DROP"), ("Flags.PrCapAmbient", "PR_CAP_AMBIENT"),
        ("Flags.PrCapAmbientClearAll", "PR_CAP_AMBIENT_CLEAR_ALL"), ("Flags.PrSetSecurebits", "PR_SET_SECUREBITS"), ("Flags.PrSetDumpable", "PR_SET_DUMPABLE"),
        ("Flags.LinuxCapabilityVersion3", "_LINUX_CAPABILITY_VERSION_3"),
        ("Flags.SecureBitsLocked", "(SECBIT_NOROOT|SECBIT_NOROOT_LOCKED|SECBIT_NO_SETUID_FIXUP|SECBIT_NO_SETUID_FIXUP_LOCKED|SECBIT_KEEP_CAPS_LOCKED)"),
        ("Flags.SeccompSetModeFilter", "SECCOMP_SET_MODE_FILTER"), ("Flags.SigSetMask", "SIG_SETMASK"),
        ("Flags.RlimitCpu", "RLIMIT_CPU"), ("Flags.RlimitFsize", "RLIMIT_FSIZE"), ("Flags.RlimitStack", "RLIMIT_STACK"),
        ("Flags.RlimitCore", "RLIMIT_CORE"), ("Flags.RlimitNofile", "RLIMIT_NOFILE"),
        ("Flags.RlimitMemlock", "RLIMIT_MEMLOCK"), ("Flags.RlimitSigpending", "RLIMIT_SIGPENDING"), ("Flags.RlimitMsgqueue", "RLIMIT_MSGQUEUE"),
        ("Flags.RlimitNice", "RLIMIT_NICE"), ("Flags.RlimitRtprio", "RLIMIT_RTPRIO"),
        // Parent death and the box's scheduling (ParentDeath, ProcessPriority).
        ("Sys.Poll", "SYS_poll"), ("Flags.PrSetPdeathsig", "PR_SET_PDEATHSIG"),
        ("Sys.SchedSetscheduler", "SYS_sched_setscheduler"), ("Sys.IoprioSet", "SYS_ioprio_set"), ("Libc.PrioProcess", "PRIO_PROCESS"),
        ("Libc.SchedOther", "SCHED_OTHER"), ("Libc.IoprioWhoProcess", "IOPRIO_WHO_PROCESS"), ("Libc.IoprioClassBe", "IOPRIO_CLASS_BE"),
        ("Libc.IoprioClassShift", "IOPRIO_CLASS_SHIFT"),
        // Removing box-written trees (TreeRemoval).
        ("Sys.Lseek", "SYS_lseek"), ("Sys.Getdents64", "SYS_getdents64"), ("Sys.Unlinkat", "SYS_unlinkat"), ("Sys.Fchmodat", "SYS_fchmodat"),
        ("Errno.EISDIR", "EISDIR"), ("Libc.AtRemovedir", "AT_REMOVEDIR"),
        ("offsetof(struct stat, st_dev)", "offsetof(struct stat, st_dev)"), ("offsetof(struct stat, st_ino)", "offsetof(struct stat, st_ino)"),
        ("Libc.ONonblock", "O_NONBLOCK"), ("Libc.OCloexec", "O_CLOEXEC"), ("Libc.ODirectory", "O_DIRECTORY"), ("Libc.ONofollow", "O_NOFOLLOW"),
        ("Libc.LockExclusive", "LOCK_EX"), ("Libc.LockNonblocking", "LOCK_NB"), ("Libc.PollIn", "POLLIN"), ("Libc.PPidfd", "P_PIDFD"),
        ("Libc.WExited", "WEXITED"), ("Libc.AtSymlinkNofollow", "AT_SYMLINK_NOFOLLOW"),
        ("sizeof(struct rusage)", "sizeof(struct rusage)"), ("sizeof(struct ifreq)", "sizeof(struct ifreq)"),
        ("offsetof(struct ifreq, ifr_flags)", "offsetof(struct ifreq, ifr_flags)"), ("sizeof(struct sock_fprog)", "sizeof(struct sock_fprog)"),
        ("offsetof(struct stat, st_uid)", "offsetof(struct stat, st_uid)"), ("offsetof(struct stat, st_gid)", "offsetof(struct stat, st_gid)"),
        ("offsetof(struct stat, st_mode)", "offsetof(struct stat, st_mode)"), ("offsetof(struct stat, st_size)", "offsetof(struct stat, st_size)"),
        ("sizeof(struct stat)", "sizeof(struct stat)"), ("offsetof(struct stat, st_nlink)", "offsetof(struct stat, st_nlink)"),
        // Host-side file handling (StdinFile, CallerPath, WorkDirOwnership).
        ("Libc.ResolveNoSymlinks", "RESOLVE_NO_SYMLINKS"), ("Libc.ResolveBeneath", "RESOLVE_BENEATH"),
        ("Libc.ResolveNoMagiclinks", "RESOLVE_NO_MAGICLINKS"), ("Libc.AtEmptyPath", "AT_EMPTY_PATH"), ("Libc.ONoctty", "O_NOCTTY"),
        ("Libc.OPath", "O_PATH"), ("Libc.FGetfl", "F_GETFL"), ("Libc.FSetfl", "F_SETFL"), ("Libc.SIfmt", "S_IFMT"),
        ("Libc.SIfreg", "S_IFREG"), ("Libc.SIfchr", "S_IFCHR"), ("Libc.SIfdir", "S_IFDIR"), ("Libc.SIfsock", "S_IFSOCK"),
        ("offsetof(struct stat, st_mode)", "offsetof(struct stat, st_mode)"), ("sizeof(struct open_how)", "sizeof(struct open_how)"),
        ("Libc.ORdonly", "O_RDONLY"), ("Libc.OWronly", "O_WRONLY"), ("Libc.ORdwr", "O_RDWR"), ("Libc.OCreat", "O_CREAT"),
        ("Libc.OExcl", "O_EXCL"), ("Libc.OTrunc", "O_TRUNC"), ("Libc.AtFdcwd", "AT_FDCWD"), ("Libc.FDupfdCloexec", "F_DUPFD_CLOEXEC"),
        ("Libc.MfdCloexec", "MFD_CLOEXEC"), ("Libc.SigKill", "SIGKILL"), ("Libc.SigXcpu", "SIGXCPU"),
        ("Errno.EPERM", "EPERM"), ("Errno.ENOENT", "ENOENT"), ("Errno.EINTR", "EINTR"), ("Errno.EAGAIN", "EAGAIN"),
        ("Errno.EACCES", "EACCES"), ("Errno.EBUSY", "EBUSY"), ("Errno.EEXIST", "EEXIST"), ("Errno.EXDEV", "EXDEV"), ("Errno.EINVAL", "EINVAL"), ("Errno.ERANGE", "ERANGE"),
        ("Errno.EROFS", "EROFS"), ("Errno.ENOSYS", "ENOSYS"), ("Errno.ELOOP", "ELOOP"),
        ("Errno.EPIPE", "EPIPE"), ("Errno.ECONNRESET", "ECONNRESET"), ("Sys.ClockGettime", "SYS_clock_gettime"), ("Flags.ClockProcessCputimeId", "CLOCK_PROCESS_CPUTIME_ID"),
        ("Libc.WNohang", "WNOHANG"), ("Libc.PollHup", "POLLHUP"), ("Libc.ProtRead", "PROT_READ"), ("Libc.ProtWrite", "PROT_WRITE"),
        ("Libc.MapShared", "MAP_SHARED"), ("Libc.AfUnix", "AF_UNIX"), ("Libc.SockSeqpacket", "SOCK_SEQPACKET"),
        ("Libc.SockCloexec", "SOCK_CLOEXEC"), ("Libc.SolSocket", "SOL_SOCKET"), ("Libc.ScmRights", "SCM_RIGHTS"),
        ("Libc.MsgNosignal", "MSG_NOSIGNAL"), ("Libc.MsgDontwait", "MSG_DONTWAIT"), ("Libc.MsgCmsgCloexec", "MSG_CMSG_CLOEXEC"), ("Libc.ShutRdwr", "SHUT_RDWR"),
        ("Libc.ShutWr", "SHUT_WR"), ("Libc.SockStream", "SOCK_STREAM"), ("Libc.SoPeercred", "SO_PEERCRED"),
        ("Libc.SunPathLength", "sizeof(((struct sockaddr_un *)0)->sun_path)"), ("offsetof(struct sockaddr_un, sun_path)", "offsetof(struct sockaddr_un, sun_path)"),
        ("sizeof(struct msghdr)", "sizeof(struct msghdr)"), ("sizeof(struct cmsghdr)", "sizeof(struct cmsghdr)"),
        // A work dir handed to a warm box as a detached mount (HostTree).
        ("Sys.OpenTree", "SYS_open_tree"), ("Sys.MoveMount", "SYS_move_mount"), ("Sys.MountSetattr", "SYS_mount_setattr"),
        ("Flags.OpenTreeClone", "OPEN_TREE_CLONE"), ("Flags.AtRecursive", "AT_RECURSIVE"), ("Flags.MoveMountFEmptyPath", "MOVE_MOUNT_F_EMPTY_PATH"),
        ("Flags.MountAttrNosuid", "MOUNT_ATTR_NOSUID"), ("Flags.MountAttrNodev", "MOUNT_ATTR_NODEV"),
        ("sizeof(struct mount_attr)", "sizeof(struct mount_attr)"),
    ];

    /// <summary>The classes that hold the engine's kernel constants; each constant must be in <see cref="Pairs"/>.</summary>
    private static readonly Type[] ConstantClasses = [typeof(Sys), typeof(Flags), typeof(Libc), typeof(Errno)];

    /// <summary>Values the C# code hard-codes as struct layout rather than as named constants.</summary>
    private static readonly Dictionary<string, long> Layouts = new()
    {
        ["sizeof(struct rusage)"] = System.Runtime.CompilerServices.Unsafe.SizeOf<NativeLaunch.Rusage>(),
        ["sizeof(struct ifreq)"] = 40,
        ["offsetof(struct ifreq, ifr_flags)"] = 16,
        ["sizeof(struct sock_fprog)"] = 16,
        ["sizeof(struct mount_attr)"] = Runner.Sandbox.Mounts.HostTree.MountAttrSize,
        ["offsetof(struct stat, st_dev)"] = FileStatus.DeviceOffset,
        ["offsetof(struct stat, st_uid)"] = FileStatus.UidOffset,
        ["offsetof(struct stat, st_gid)"] = FileStatus.GidOffset,
        ["offsetof(struct stat, st_mode)"] = FileStatus.ModeOffset,
        ["offsetof(struct stat, st_nlink)"] = FileStatus.LinkCountOffset,
        ["offsetof(struct stat, st_size)"] = FileStatus.SizeOffset,
        ["sizeof(struct stat)"] = FileStatus.StatSize,
        ["offsetof(struct stat, st_dev)"] = TreeRemoval.StatDevOffset,
        ["offsetof(struct stat, st_ino)"] = TreeRemoval.StatInoOffset,
        ["offsetof(struct stat, st_mode)"] = 24,
        ["sizeof(struct open_how)"] = 24,
        ["offsetof(struct sockaddr_un, sun_path)"] = 2,
        ["sizeof(struct msghdr)"] = System.Runtime.CompilerServices.Unsafe.SizeOf<Libc.MsgHdr>(),
        ["sizeof(struct cmsghdr)"] = System.Runtime.CompilerServices.Unsafe.SizeOf<Libc.CmsgHdr>(),
    };

    [Fact]
    public void Every_syscall_number_flag_and_struct_layout_matches_the_C_headers()
    {
        var headerValues = CompileAndPrint(Pairs.Select(p => p.C));
        var mismatches = new List<string>();
        foreach (var (cs, c) in Pairs)
        {
            var ours = Layouts.TryGetValue(cs, out var layout) ? layout : ReadConstant(cs);
            if (ours != headerValues[c]) mismatches.Add($"{cs} = {ours}, but {c} = {headerValues[c]}");
        }
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Every_constant_of_the_Linux_layer_is_compared_with_the_C_headers()
    {
        var checkedNames = Pairs.Select(p => p.CSharp).ToHashSet();
        var notCompared = ConstantClasses
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => $"{t.Name}.{f.Name}"))
            .Where(name => !checkedNames.Contains(name))
            .ToList();
        Assert.Empty(notCompared);
    }

    [Fact]
    public unsafe void The_plan_structs_have_the_same_size_in_CSharp_and_in_runner_launch_c()
    {
        Assert.Equal(sizeof(NativeLaunch.RunnerOp), NativeLaunch.runner_abi_size(0));
        Assert.Equal(sizeof(NativeLaunch.RunnerPlan), NativeLaunch.runner_abi_size(1));
        Assert.Equal(sizeof(NativeLaunch.RunnerError), NativeLaunch.runner_abi_size(2));
        Assert.Equal(sizeof(NativeLaunch.RunnerExit), NativeLaunch.runner_abi_size(3));
        Assert.Equal(sizeof(NativeLaunch.RunnerHandoff), NativeLaunch.runner_abi_size(4));
    }

    private static long ReadConstant(string qualified)
    {
        var (typeName, field) = (qualified.Split('.')[0], qualified.Split('.')[1]);
        var type = typeof(Sys).Assembly.GetType($"Runner.Sandbox.Native.{typeName}")
            ?? throw new InvalidOperationException($"no type {typeName}");
        var value = type.GetField(field, BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue()
            ?? throw new InvalidOperationException($"no constant {qualified}");
        return Convert.ToInt64(value);
    }

    private static Dictionary<string, long> CompileAndPrint(IEnumerable<string> expressions)
    {
        var dir = Directory.CreateTempSubdirectory("runner-constants-");
        try
        {
            var list = expressions.Distinct().ToList();
            var source = """
                #define _GNU_SOURCE
                #include <stdio.h>
                #include <time.h>
                #include <stddef.h>
                #include <fcntl.h>
                #include <errno.h>
                #include <poll.h>
                #include <signal.h>
                #include <sched.h>
                #include <sys/syscall.h>
                #include <sys/mount.h>
                #include <sys/stat.h>
                #include <sys/socket.h>
                #include <sys/un.h>
                #include <sys/ioctl.h>
                #include <sys/prctl.h>
                #include <sys/resource.h>
                #include <sys/wait.h>
                #include <sys/mman.h>
                #include <sys/file.h>
                #include <net/if.h>
                #include <linux/seccomp.h>
                #include <linux/filter.h>
                #include <linux/capability.h>
                #include <linux/securebits.h>
                #include <linux/openat2.h>
                #include <linux/ioprio.h>
                int main(void) {

                """ + string.Concat(list.Select(e => $"    printf(\"%lld\\n\", (long long)({e}));\n")) + "    return 0;\n}\n";
            File.WriteAllText(Path.Combine(dir.FullName, "c.c"), source);
            Run("gcc", "-o", Path.Combine(dir.FullName, "c"), Path.Combine(dir.FullName, "c.c"));
            var lines = Run(Path.Combine(dir.FullName, "c")).Trim().Split('\n');
            return list.Zip(lines).ToDictionary(p => p.First, p => long.Parse(p.Second));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} failed: {errors}");
        return output;
    }
}
