using Runner.Sandbox.Launch;
using Runner.Sandbox.Mounts;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Namespaces;

/// <summary>
/// Child side of the mount namespace: make every inherited mount private, build the box root
/// on a tmpfs at the host's new-root mount point, pivot_root into it, detach the old root and
/// make / read-only. The box's init does this before it waits for its program
/// (<see cref="BoxLayout"/>); a box built ahead for no program in particular gets its /box and its
/// tmpfs sizes once the program is known (<see cref="AddRunSteps"/>).
/// </summary>
internal static class MountNamespace
{
    private const long NoSuidNoDev = Flags.MsNosuid | Flags.MsNodev;
    // /proc/pressure: opened for writing, its files register host-wide PSI triggers.
    private static readonly string[] ProcReadOnlyPaths = ["/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/pressure"];
    // The host's identity: its kernel command line (mitigations, sometimes tokens), its build
    // configuration, and a boot id that lets two boxes tell they share a host. /dev/null over them.
    private static readonly string[] ProcMaskedPaths = ["/proc/cmdline", "/proc/config.gz", "/proc/sys/kernel/random/boot_id"];
    private static readonly string[] Devices = ["null", "zero", "full", "random", "urandom"];

    public static MountPlan Describe(SandboxSpec spec) =>
        Describe(spec.RootfsPath, spec.Hostname, spec.Limits.TmpfsBytes, spec.WorkDir, spec.Binds, boxLater: false);

    /// <summary>The tree of a box built before its program is known: /box is only a mount point, no binds.</summary>
    public static MountPlan DescribeAhead(string? rootfsPath, string hostname, long tmpfsBytes) =>
        Describe(rootfsPath, hostname, tmpfsBytes, null, [], boxLater: true);

    private static string TmpfsOptions(long bytes) => $"size={bytes},nr_inodes=65536";

    private static MountPlan Describe(string? rootfsPath, string hostname, long tmpfsBytes, string? workDir, IReadOnlyList<BindMount> binds,
        bool boxLater)
    {
        var tmpfs = TmpfsOptions(tmpfsBytes);
        var plan = new MountPlan();
        RootfsLayout.AddTo(plan, rootfsPath, hostname);

        plan.Add(new MountPlan.Proc("/proc"), LaunchStep.MountProc);
        // Only what this kernel has (/proc/sysrq-trigger needs CONFIG_MAGIC_SYSRQ, for one).
        foreach (var path in ProcReadOnlyPaths.Where(Path.Exists))
            plan.Add(new MountPlan.ReadOnly(path), LaunchStep.MountProc);
        foreach (var path in ProcMaskedPaths.Where(Path.Exists))
            plan.Add(new MountPlan.Bind("/dev/null", path, Writable: false, IsFile: true, Device: true), LaunchStep.MountProc);

        plan.Add(new MountPlan.Tmpfs("/dev", "mode=0755,size=65536,nr_inodes=64", Flags.MsNosuid | Flags.MsNoexec), LaunchStep.MountDev);
        foreach (var name in Devices)
            plan.Add(new MountPlan.Bind("/dev/" + name, "/dev/" + name, Writable: true, IsFile: true, Device: true), LaunchStep.MountDev);
        plan.Add(new MountPlan.Symlink("/proc/self/fd", "/dev/fd"), LaunchStep.MountDev);
        plan.Add(new MountPlan.Symlink("/proc/self/fd/0", "/dev/stdin"), LaunchStep.MountDev);
        plan.Add(new MountPlan.Symlink("/proc/self/fd/1", "/dev/stdout"), LaunchStep.MountDev);
        plan.Add(new MountPlan.Symlink("/proc/self/fd/2", "/dev/stderr"), LaunchStep.MountDev);
        plan.Add(new MountPlan.Tmpfs("/dev/shm", "mode=1777," + tmpfs, NoSuidNoDev), LaunchStep.MountDev);
        plan.Add(new MountPlan.Seal("/dev", Flags.MsNosuid | Flags.MsNoexec), LaunchStep.MountDev);

        plan.Add(new MountPlan.Tmpfs("/tmp", "mode=1777," + tmpfs, NoSuidNoDev), LaunchStep.MountTmp);
        if (boxLater)
            plan.Add(new MountPlan.Dir("/box", 0x1ed), LaunchStep.MountBox);
        else if (workDir is not null)
            plan.Add(new MountPlan.Bind(workDir, "/box", Writable: true, IsFile: false), LaunchStep.MountBox);
        else
            plan.Add(new MountPlan.Tmpfs("/box", "mode=0755," + tmpfs, NoSuidNoDev), LaunchStep.MountBox);

        foreach (var bind in binds)
        {
            plan.AddParentsOf(bind.Target, LaunchStep.MountBind);
            plan.Add(new MountPlan.Bind(bind.Source, bind.Target, bind.Writable, !Directory.Exists(bind.Source)), LaunchStep.MountBind);
        }
        return plan;
    }

    /// <summary>
    /// The run's own mounts in a box whose tree was built ahead (<see cref="BoxLayout.BoxMounted"/>
    /// false): the /tmp and /dev/shm sizes when the program asks for others, and /box, either its
    /// work dir (the detached mount at <paramref name="boxTreeFd"/>, see <see cref="HostTree"/>) or
    /// a fresh tmpfs. The init runs them after pivot_root, so paths are the box's own.
    /// </summary>
    public static void AddRunSteps(SyscallPlan plan, SandboxSpec spec, BoxLayout layout, int boxTreeFd)
    {
        if (layout.BoxMounted) return;
        var a = plan.Arena;
        var tmpfsBytes = spec.Limits.TmpfsBytes;
        if (tmpfsBytes != layout.TmpfsBytes)
        {
            foreach (var path in (string[])["/tmp", "/dev/shm"])
                plan.Add(LaunchStep.MountTmp, $"resize the tmpfs on {path}", Sys.Mount, a.String("tmpfs"), a.String(path), a.String("tmpfs"),
                    Flags.MsRemount | NoSuidNoDev, a.String(TmpfsOptions(tmpfsBytes)));
        }
        var box = a.String("/box");
        if (spec.WorkDir is not null)
        {
            plan.Add(LaunchStep.MountBox, $"attach the work dir on /box", Sys.MoveMount, boxTreeFd, a.String(""), Flags.AtFdcwd, box,
                Flags.MoveMountFEmptyPath);
            plan.Add(LaunchStep.MountBox, "close the work dir's mount fd", Sys.Close, boxTreeFd);
        }
        else
        {
            plan.Add(LaunchStep.MountBox, "mount tmpfs on /box", Sys.Mount, a.String("tmpfs"), box, a.String("tmpfs"), NoSuidNoDev,
                a.String("mode=0755," + TmpfsOptions(tmpfsBytes)));
        }
    }

    public static void AddChildSteps(SyscallPlan plan, MountPlan mounts, string newRoot)
    {
        var a = plan.Arena;
        var root = a.String("/");
        plan.Add(LaunchStep.MountPrivate, "make / private, recursively", Sys.Mount, 0, root, 0, Flags.MsRec | Flags.MsPrivate, 0);
        plan.Add(LaunchStep.MountRoot, $"mount the box root tmpfs on {newRoot}", Sys.Mount, a.String("tmpfs"), a.String(newRoot),
            a.String("tmpfs"), NoSuidNoDev, a.String("mode=0755,size=4194304,nr_inodes=4096"));
        mounts.Compile(plan, newRoot);

        plan.Add(LaunchStep.PivotRoot, "chdir to the new root", Sys.Chdir, a.String(newRoot));
        var dot = a.String(".");
        // pivot_root(".", ".") stacks the old root on top of the new one; detaching "." then
        // drops it without needing a directory for it inside the box.
        plan.Add(LaunchStep.PivotRoot, "pivot_root", Sys.PivotRoot, dot, dot);
        plan.Add(LaunchStep.PivotRoot, "detach the old root", Sys.Umount2, dot, Flags.MntDetach);
        plan.Add(LaunchStep.PivotRoot, "chdir /", Sys.Chdir, root);
        plan.Add(LaunchStep.PivotRoot, "remount / read-only", Sys.Mount, 0, root, 0,
            Flags.MsBind | Flags.MsRemount | Flags.MsRdonly | NoSuidNoDev, 0);
    }
}
