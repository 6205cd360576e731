using System.Security.Cryptography;
using System.Text;

namespace Runner.CgroupV2.Tests;

/// <summary>
/// Packs the guest's whole root filesystem into one initramfs: busybox, the /init and check
/// scripts from guest/, the probe programs compiled statically from guest/*.c, and the
/// `runner` binary with its libraries. The layout is merged-/usr like a current Debian
/// host, because Runner's default box layout binds the host's /usr: inside the guest the
/// guest is the host, so everything a box must see lives under /usr.
/// Cached by a hash of every input.
/// </summary>
internal static class GuestInitramfs
{
    // Bump when the staging below changes in a way the input hash cannot see.
    private const string LayoutVersion = "1";

    public static readonly string[] ProbePrograms = ["memhog", "forkbomb", "cpuburn", "sleeper"];

    public static string Build(string cacheRoot, string guestSources, string runnerBinary, Action<string> log)
    {
        var busybox = HostCommand.Which("busybox")!;
        var runnerLibraries = SharedLibraries(runnerBinary);
        var launcher = Path.Combine(Path.GetDirectoryName(runnerBinary)!, "runner-launcher");
        var key = HashInputs(guestSources, [busybox, runnerBinary, .. runnerLibraries, .. File.Exists(launcher) ? [launcher] : Array.Empty<string>()]);
        var dir = Path.Combine(cacheRoot, "initramfs");
        Directory.CreateDirectory(dir);
        var image = Path.Combine(dir, $"initramfs-{key}.cpio.gz");
        if (File.Exists(image))
        {
            log($"initramfs: {Path.GetFileName(image)} (cached)");
            return image;
        }

        var stage = Path.Combine(dir, $".stage-{Environment.ProcessId}");
        if (Directory.Exists(stage)) Directory.Delete(stage, recursive: true);
        try
        {
            Stage(stage, guestSources, busybox, runnerBinary, runnerLibraries);
            var tmp = image + $".{Environment.ProcessId}.tmp";
            // -R 0:0: the guest's files are root's whoever builds the image.
            HostCommand.Pipeline("cd \"$1\" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 > \"$2\"", stage, tmp);
            File.Move(tmp, image, overwrite: true);
            foreach (var stale in Directory.GetFiles(dir, "initramfs-*.cpio.gz").Where(f => f != image))
                File.Delete(stale);
            log($"initramfs: built {Path.GetFileName(image)} ({new FileInfo(image).Length / 1024} KiB)");
            return image;
        }
        finally
        {
            if (Directory.Exists(stage)) Directory.Delete(stage, recursive: true);
        }
    }

    private static void Stage(string stage, string guestSources, string busybox, string runnerBinary, IReadOnlyList<string> runnerLibraries)
    {
        foreach (var d in new[] { "usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "etc/alternatives", "proc", "sys", "dev", "tmp", "run", "root", "home/user", "checks" })
            Directory.CreateDirectory(Path.Combine(stage, d));
        // The kernel refuses to run /init from a root the others cannot search.
        File.SetUnixFileMode(stage, (UnixFileMode)0b111_101_101);
        foreach (var (link, target) in new[] { ("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"), ("lib64", "usr/lib64") })
            File.CreateSymbolicLink(Path.Combine(stage, link), target);

        foreach (var program in ProbePrograms)
            HostCommand.Check("gcc", ["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread",
                "-o", Path.Combine(stage, "usr/bin", program), Path.Combine(guestSources, program + ".c")]);

        File.Copy(runnerBinary, Path.Combine(stage, "usr/bin/runner"));
        File.SetUnixFileMode(Path.Combine(stage, "usr/bin/runner"), (UnixFileMode)0b111_101_101);
        // Boxes are cloned from runner-launcher when it sits next to runner (it needs only libc,
        // which the runner's libraries include), so the guest checks that path on cgroup v2.
        var launcher = Path.Combine(Path.GetDirectoryName(runnerBinary)!, "runner-launcher");
        if (File.Exists(launcher))
        {
            File.Copy(launcher, Path.Combine(stage, "usr/bin/runner-launcher"));
            File.SetUnixFileMode(Path.Combine(stage, "usr/bin/runner-launcher"), (UnixFileMode)0b111_101_101);
        }
        foreach (var lib in runnerLibraries)
        {
            var target = Path.Combine(stage, UnderUsr(lib));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // The loader and libc are symlinks on the host; the guest gets the files themselves.
            File.Copy(Path.GetFullPath(new FileInfo(lib).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? lib), target, overwrite: true);
        }

        File.Copy(busybox, Path.Combine(stage, "usr/bin/busybox"));
        foreach (var applet in HostCommand.Check(busybox, ["--list-full"]).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var path = Path.Combine(stage, UnderUsr("/" + applet));
            if (!File.Exists(path) && new FileInfo(path).LinkTarget is null)
                File.CreateSymbolicLink(path, "/usr/bin/busybox");
        }

        File.Copy(Path.Combine(guestSources, "init"), Path.Combine(stage, "init"));
        File.SetUnixFileMode(Path.Combine(stage, "init"), (UnixFileMode)0b111_101_101);
        CopyTree(Path.Combine(guestSources, "checks"), Path.Combine(stage, "checks"));

        File.WriteAllText(Path.Combine(stage, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n");
        File.WriteAllText(Path.Combine(stage, "etc/group"), "root:x:0:\nuser:x:1000:\n");
        File.WriteAllText(Path.Combine(stage, "etc/hostname"), "runner-guest\n");
        File.WriteAllText(Path.Combine(stage, "etc/ld.so.conf"), "/usr/lib/x86_64-linux-gnu\n");
        // A real ld.so.cache for the guest's own libraries, since boxes bind /etc/ld.so.cache.
        HostCommand.Check(HostCommand.Which("ldconfig") ?? "ldconfig", ["-r", stage]);
    }

    /// <summary>
    /// The libraries and loader <c>ldd</c> names for a binary, as absolute host paths, plus
    /// libseccomp, which the engine opens at run time and ldd therefore cannot see.
    /// </summary>
    private static List<string> SharedLibraries(string binary)
    {
        var r = HostCommand.Run("ldd", [binary]);
        if (r.ExitCode != 0) return []; // static: nothing to copy
        const string seccomp = "/usr/lib/x86_64-linux-gnu/libseccomp.so.2";
        if (!File.Exists(seccomp))
            throw new InvalidOperationException($"{seccomp} is missing: apt-get install libseccomp2");
        var libs = new List<string> { seccomp };
        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.TrimEntries))
        {
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
            var path = line.Split(' ').FirstOrDefault(w => w.StartsWith('/'));
            if (path is not null) libs.Add(path);
        }
        return libs;
    }

    /// <summary>Maps a host path to its merged-/usr place in the guest: /lib/x -> usr/lib/x.</summary>
    private static string UnderUsr(string absolute)
    {
        var relative = absolute.TrimStart('/');
        return relative.StartsWith("usr/", StringComparison.Ordinal) ? relative : "usr/" + relative;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string HashInputs(string guestSources, IEnumerable<string> binaries)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes("layout " + LayoutVersion + "\n"));
        foreach (var file in Directory.GetFiles(guestSources, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(guestSources, file) + "\n"));
            sha.AppendData(File.ReadAllBytes(file));
        }
        foreach (var file in binaries)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(file + "\n"));
            sha.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}
