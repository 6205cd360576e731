using Runner.Sandbox.Launch;
using Runner.Sandbox.Mounts;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;
using Runner.Sandbox.Tests.Plan;

namespace Runner.Sandbox.Tests.Mounts;

/// <summary>
/// <see cref="MountPlan.Compile"/> without a box: the mount ops become the syscalls, labels and
/// flags the child will run under the new root, before pivot_root.
/// </summary>
public class MountPlanTests
{
    private const string NewRoot = "/run/runner/root-test";

    private const long NoSuidNoDev = Flags.MsNosuid | Flags.MsNodev;

    private static List<CompiledOp> Compile(MountPlan mounts, SyscallPlan plan)
    {
        mounts.Compile(plan, NewRoot);
        return CompiledOp.All(plan);
    }

    [Fact]
    public void A_read_only_directory_bind_is_mkdir_then_a_recursive_bind_then_a_read_only_nosuid_nodev_remount()
    {
        using var plan = new SyscallPlan();
        var ops = Compile(new MountPlan().BindReadOnly("/usr", "/usr"), plan);

        Assert.Equal(["mkdir /usr", "bind /usr on /usr", "remount /usr read-only, nosuid, nodev"], ops.Select(o => o.What));
        Assert.All(ops, o => Assert.Equal(LaunchStep.MountRoot, o.Step));
        Assert.Equal([Sys.Mkdirat, Sys.Mount, Sys.Mount], ops.Select(o => o.Nr));
        Assert.True(ops[0].Checks(NativeLaunch.CheckNone), "an existing mount point is not an error");
        Assert.Equal(Flags.MsBind | Flags.MsRec, ops[1].Args[3]);
        Assert.Equal(Flags.MsBind | Flags.MsRemount | NoSuidNoDev | Flags.MsRdonly, ops[2].Args[3]);
    }

    [Fact]
    public void Box_paths_are_joined_to_the_new_root_and_bind_sources_are_host_paths()
    {
        using var plan = new SyscallPlan();
        var ops = Compile(new MountPlan().BindReadOnly("/usr", "/opt/usr"), plan);

        Assert.Equal(NewRoot + "/opt/usr", ops[0].StringArg(1));
        Assert.Equal("/usr", ops[1].StringArg(0));
        Assert.Equal(NewRoot + "/opt/usr", ops[1].StringArg(1));
    }

    [Fact]
    public void A_writable_file_bind_gets_a_regular_file_mount_point_and_stays_writable_but_nosuid_nodev()
    {
        using var plan = new SyscallPlan();
        var ops = Compile(new MountPlan().BindWritable("/etc/hostname", "/data/name"), plan);

        Assert.Equal(["create mount point /data/name", "bind /etc/hostname on /data/name", "remount /data/name read-write, nosuid, nodev"],
            ops.Select(o => o.What));
        Assert.All(ops, o => Assert.Equal(LaunchStep.MountBind, o.Step));
        Assert.Equal(Sys.Mknodat, ops[0].Nr);
        Assert.Equal(Flags.SIfreg | 0x1a4, ops[0].Args[2]);
        Assert.Equal(Flags.MsBind | Flags.MsRemount | NoSuidNoDev, ops[2].Args[3]);
    }

    [Fact]
    public void A_device_bind_keeps_device_access_and_is_noexec_instead()
    {
        using var plan = new SyscallPlan();
        var ops = Compile(new MountPlan().Add(new MountPlan.Bind("/dev/null", "/dev/null", Writable: true, IsFile: true, Device: true), LaunchStep.MountDev), plan);

        var remount = ops[^1].Args[3];
        Assert.Equal(Flags.MsBind | Flags.MsRemount | Flags.MsNosuid | Flags.MsNoexec, remount);
        Assert.Equal(0, remount & Flags.MsNodev);
    }

    [Fact]
    public void Proc_is_mounted_nosuid_nodev_noexec_with_hidepid_invisible()
    {
        using var plan = new SyscallPlan();
        var ops = Compile(new MountPlan().Add(new MountPlan.Proc("/proc"), LaunchStep.MountProc), plan);

        Assert.Equal(["mkdir /proc", "mount proc on /proc"], ops.Select(o => o.What));
        Assert.Equal("proc", ops[1].StringArg(2));
        Assert.Equal(NoSuidNoDev | Flags.MsNoexec, ops[1].Args[3]);
        Assert.Equal("hidepid=invisible", ops[1].StringArg(4));
    }

    [Fact]
    public void A_tmpfs_is_mounted_with_its_options_and_flags()
    {
        using var plan = new SyscallPlan();
        var ops = Compile(new MountPlan().Add(new MountPlan.Tmpfs("/tmp", "mode=1777,size=64m", NoSuidNoDev), LaunchStep.MountTmp), plan);

        Assert.Equal(["mkdir /tmp", "mount tmpfs on /tmp"], ops.Select(o => o.What));
        Assert.Equal("tmpfs", ops[1].StringArg(2));
        Assert.Equal(NoSuidNoDev, ops[1].Args[3]);
        Assert.Equal("mode=1777,size=64m", ops[1].StringArg(4));
    }

    [Fact]
    public void A_file_op_creates_exclusively_writes_every_byte_and_closes()
    {
        using var plan = new SyscallPlan();
        var ops = Compile(new MountPlan().Add(new MountPlan.File("/etc/hosts", "127.0.0.1 sandbox\n"u8.ToArray()), LaunchStep.MountEtc), plan);

        Assert.Equal(["create /etc/hosts", "write /etc/hosts", "close /etc/hosts"], ops.Select(o => o.What));
        Assert.Equal(Flags.OWronly | Flags.OCreat | Flags.OExcl | Flags.OCloexec, ops[0].Args[2]);
        Assert.True(ops[0].Checks(NativeLaunch.StoreResult), "the fd is kept for the write and close");
        Assert.True(ops[1].Checks(NativeLaunch.CheckEqual), "a short write is a failure");
        Assert.Equal(18, ops[1].Expect);
        Assert.True(ops[2].Checks(NativeLaunch.Arg0FromRegister));
    }

    [Fact]
    public void Read_only_and_seal_remount_in_place_without_touching_anything_else()
    {
        using var plan = new SyscallPlan();
        var ops = Compile(new MountPlan()
            .Add(new MountPlan.ReadOnly("/proc/sys"), LaunchStep.MountProc)
            .Add(new MountPlan.Seal("/dev", Flags.MsNosuid | Flags.MsNoexec), LaunchStep.MountDev), plan);

        Assert.Equal(["bind /proc/sys on itself", "remount /proc/sys read-only", "remount /dev read-only"], ops.Select(o => o.What));
        Assert.Equal(ops[0].StringArg(0), ops[0].StringArg(1));
        Assert.Equal(Flags.MsBind | Flags.MsRemount | Flags.MsRdonly | NoSuidNoDev | Flags.MsNoexec, ops[1].Args[3]);
        Assert.Equal(Flags.MsBind | Flags.MsRemount | Flags.MsRdonly | Flags.MsNosuid | Flags.MsNoexec, ops[2].Args[3]);
    }

    [Fact]
    public void Ops_compile_in_the_order_they_were_added()
    {
        using var plan = new SyscallPlan();
        var ops = Compile(new MountPlan()
            .Add(new MountPlan.Dir("/a", 0x1ed), LaunchStep.MountRoot)
            .Add(new MountPlan.Symlink("/proc/self/fd", "/dev/fd"), LaunchStep.MountDev), plan);

        Assert.Equal(["mkdir /a", "symlink /dev/fd -> /proc/self/fd"], ops.Select(o => o.What));
        Assert.Equal([LaunchStep.MountRoot, LaunchStep.MountDev], ops.Select(o => o.Step));
        Assert.Equal("/proc/self/fd", ops[1].StringArg(0));
        Assert.Equal(NewRoot + "/dev/fd", ops[1].StringArg(2));
    }
}
