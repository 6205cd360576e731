using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Native;
using Runner.Sandbox.Seccomp;

namespace Runner.Sandbox;

/// <summary>What <c>runner check</c> reports.</summary>
/// <param name="CanRun">True when nothing a run needs is missing.</param>
public sealed record HostCheckReport(bool CanRun, IReadOnlyList<HostCheckItem> Items);

public sealed record HostCheckItem(string Name, bool Ok, string Detail);

/// <summary>
/// Checks whether this host can run boxes: each prerequisite on its own, so a failure says
/// what to fix, and then one real box running /bin/true through the whole launch path.
/// </summary>
public static class HostCheck
{
    public static HostCheckReport Run(SandboxOptions? options = null)
    {
        options ??= new SandboxOptions();
        var items = new List<HostCheckItem> { Identity(), UserNamespaces() };
        items.AddRange(Cgroups(options));
        items.Add(Seccomp());
        items.Add(Launcher());
        items.AddRange(HostRisks.Check());
        if (items.All(i => i.Ok)) items.Add(RealBox(options));
        return new HostCheckReport(items.All(i => i.Ok), items);
    }

    private static HostCheckItem Identity() => Libc.geteuid() == 0
        ? new("identity", true, "running as root: each box gets its own host uid")
        : new("identity", true, $"running as uid {Libc.geteuid()} (rootless): root in every box maps to this uid");

    private static HostCheckItem UserNamespaces()
    {
        const string name = "user namespaces";
        const string path = "/proc/sys/user/max_user_namespaces";
        try
        {
            var text = File.ReadAllText(path).Trim();
            return int.TryParse(text, out var max) && max > 0
                ? new(name, true, $"{path} = {text}")
                : new(name, false, $"{path} = {text}; set it above 0 (sysctl -w user.max_user_namespaces=15000)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(name, false, $"cannot read {path}: {e.Message}; this kernel may lack CONFIG_USER_NS");
        }
    }

    private static IEnumerable<HostCheckItem> Cgroups(SandboxOptions options)
    {
        try
        {
            var hierarchy = Box.HierarchyFor(options);
            return hierarchy.Check().Select(line => new HostCheckItem($"cgroup v{hierarchy.Version}", true, line)).ToList();
        }
        catch (CgroupUnavailableException e)
        {
            return [new HostCheckItem("cgroups", false, e.Message)];
        }
    }

    private static HostCheckItem Seccomp()
    {
        try
        {
            var bytes = SeccompProfile.LoadDefault().CompileBpf();
            return new("seccomp", true, $"default profile compiled by libseccomp to {bytes.Length / 8} BPF instructions");
        }
        catch (Exception e)
        {
            return new("seccomp", false, e.Message);
        }
    }

    private static HostCheckItem Launcher()
    {
        try
        {
            var size = NativeLaunch.runner_abi_size(0);
            return size == System.Runtime.CompilerServices.Unsafe.SizeOf<NativeLaunch.RunnerOp>()
                ? new("launcher", true, "librunnerlaunch present, plan layout matches")
                : new("launcher", false, $"librunnerlaunch plan op is {size} bytes; rebuild Runner.Sandbox");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return new("launcher", false, $"librunnerlaunch is missing ({e.Message}); rebuild Runner.Sandbox");
        }
    }

    private static HostCheckItem RealBox(SandboxOptions options)
    {
        var result = Box.Run(new SandboxSpec { Argv = ["/bin/true"], Limits = new SandboxLimits { CpuTimeSeconds = 2 } }, options);
        return result.Status == SandboxStatus.Ok
            ? new("box", true, $"/bin/true ran in a box in {result.WallTime * 1000:0.0} ms")
            : new("box", false, result.Message);
    }
}
