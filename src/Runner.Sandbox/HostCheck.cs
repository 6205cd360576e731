using System.Runtime.InteropServices;

namespace Runner.Sandbox;

/// <summary>What <c>runner check</c> reports.</summary>
/// <param name="CanRun">True when nothing a run needs is missing.</param>
public sealed record HostCheckReport(bool CanRun, IReadOnlyList<HostCheckItem> Items);

public sealed record HostCheckItem(string Name, bool Ok, string Detail);

/// <summary>
/// Checks whether this host can run boxes. Placeholder with cheap probes only: the engine
/// will replace it with checks that exercise the real launch path.
/// </summary>
public static class HostCheck
{
    public static HostCheckReport Run(SandboxOptions? options = null)
    {
        options ??= new SandboxOptions();
        HostCheckItem[] items = [UserNamespaces(), Cgroups(options), Seccomp()];
        return new HostCheckReport(items.All(i => i.Ok), items);
    }

    private static HostCheckItem UserNamespaces()
    {
        const string name = "user namespaces";
        const string path = "/proc/sys/user/max_user_namespaces";
        try
        {
            var text = File.ReadAllText(path).Trim();
            return int.TryParse(text, out var max) && max > 0
                ? new(name, true, $"{path} = {text}")
                : new(name, false, $"{path} = {text}; set it above 0");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(name, false, $"cannot read {path}: {e.Message}");
        }
    }

    private static HostCheckItem Cgroups(SandboxOptions options) =>
        Directory.Exists(options.CgroupRoot)
            ? new("cgroups", true, $"{options.CgroupRoot} present")
            : new("cgroups", false, $"{options.CgroupRoot} is missing; mount the cgroup filesystem");

    private static HostCheckItem Seccomp()
    {
        if (!NativeLibrary.TryLoad("libseccomp.so.2", out var handle))
            return new("seccomp", false, "libseccomp.so.2 cannot be loaded; install libseccomp2");
        NativeLibrary.Free(handle);
        return new("seccomp", true, "libseccomp.so.2 loadable");
    }
}
