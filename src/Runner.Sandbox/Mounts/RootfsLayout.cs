using System.Text;
using Runner.Sandbox.Launch;

namespace Runner.Sandbox.Mounts;

/// <summary>
/// What a box sees at /. Either the host's own toolchains (the default: /usr and the merged-usr
/// links, read-only, with a minimal generated /etc), or a dedicated image directory whose
/// top-level entries are bound read-only. rootfs/README.md describes both.
/// </summary>
internal static class RootfsLayout
{
    /// <summary>
    /// Host /etc entries that toolchains read (dynamic loader cache, Debian alternatives, JVM and
    /// Python configuration). Nothing with secrets: no shadow, no ssh, no ssl keys, no machine-id.
    /// </summary>
    private static readonly string[] HostEtcEntries =
    [
        "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime",
        "java-17-openjdk", "java-21-openjdk", "python3", "python3.11", "python3.12", "gcc", "mime.types",
    ];

    private static readonly string[] MergedUsrLinks = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];

    public static void AddTo(MountPlan plan, string? imagePath, string hostname)
    {
        if (imagePath is null) AddHostLayout(plan);
        else AddImageLayout(plan, imagePath);
        AddGeneratedEtc(plan, hostname);
    }

    private static void AddHostLayout(MountPlan plan)
    {
        plan.BindReadOnly("/usr", "/usr");
        foreach (var name in MergedUsrLinks)
        {
            var host = "/" + name;
            var info = new FileInfo(host);
            if (info.LinkTarget is { } target)
                plan.Add(new MountPlan.Symlink(target, host), LaunchStep.MountRoot);
            else if (Directory.Exists(host))
                plan.BindReadOnly(host, host);
        }
        plan.Add(new MountPlan.Dir("/etc", 0x1ed), LaunchStep.MountEtc);
        foreach (var name in HostEtcEntries)
        {
            var host = "/etc/" + name;
            if (Path.Exists(host)) plan.BindReadOnly(host, host, LaunchStep.MountEtc);
        }
    }

    private static void AddImageLayout(MountPlan plan, string imagePath)
    {
        var skip = new HashSet<string> { "proc", "dev", "tmp", "box", "sys", "etc", "run" };
        foreach (var entry in new DirectoryInfo(imagePath).EnumerateFileSystemInfos())
        {
            if (skip.Contains(entry.Name)) continue;
            var boxPath = "/" + entry.Name;
            if (entry.LinkTarget is { } target) plan.Add(new MountPlan.Symlink(target, boxPath), LaunchStep.MountRoot);
            else plan.BindReadOnly(entry.FullName, boxPath);
        }
        plan.Add(new MountPlan.Dir("/etc", 0x1ed), LaunchStep.MountEtc);
        var etc = Path.Combine(imagePath, "etc");
        if (!Directory.Exists(etc)) return;
        foreach (var name in HostEtcEntries)
        {
            var path = Path.Combine(etc, name);
            if (Path.Exists(path)) plan.BindReadOnly(path, "/etc/" + name, LaunchStep.MountEtc);
        }
    }

    private static void AddGeneratedEtc(MountPlan plan, string hostname)
    {
        void File(string name, string text) =>
            plan.Add(new MountPlan.File("/etc/" + name, Encoding.UTF8.GetBytes(text)), LaunchStep.MountEtc);
        File("passwd", "root:x:0:0:box:/box:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        File("group", "root:x:0:\nnogroup:x:65534:\n");
        File("hosts", $"127.0.0.1\tlocalhost {hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        File("hostname", hostname + "\n");
        File("nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n");
    }
}
