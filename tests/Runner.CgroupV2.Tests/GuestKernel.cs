using System.Text.RegularExpressions;

namespace Runner.CgroupV2.Tests;

/// <summary>
/// Debian's own kernel, fetched as a package and cached by package version. It is built
/// with everything the checks need (cgroup2 with every controller, user namespaces), needs
/// no modules to boot under qemu, and is what a v2 production host typically runs.
/// </summary>
internal static partial class GuestKernel
{
    private const string MetaPackage = "linux-image-amd64";

    /// <summary>Returns the path of a cached vmlinuz, downloading it when the candidate version is not cached yet.</summary>
    public static string Fetch(string cacheRoot, Action<string> log) => Fetch(cacheRoot, log, listsRefreshed: false);

    private static string Fetch(string cacheRoot, Action<string> log, bool listsRefreshed)
    {
        var kernels = Path.Combine(cacheRoot, "kernel");
        Directory.CreateDirectory(kernels);

        var (package, version) = ResolveImagePackage();
        if (package is null || version is null)
        {
            // Offline, or apt lists never fetched: any kernel cached before is still a real kernel.
            var cached = Directory.GetFiles(kernels, "vmlinuz", SearchOption.AllDirectories).Order(StringComparer.Ordinal).LastOrDefault();
            if (cached is not null)
            {
                log($"kernel: apt cannot resolve {MetaPackage}; using cached {cached}");
                return PreferUncompressed(cached, log);
            }
            throw new HarnessSetupException(
                $"apt-cache does not know {MetaPackage}, so there is no kernel for the cgroup v2 VM. " +
                $"Run `apt-get update` (or bash {GuestRequirements.InstallScript}) and try again.");
        }

        var dir = Path.Combine(kernels, $"{package}_{version}");
        var vmlinuz = Path.Combine(dir, "vmlinuz");
        if (File.Exists(vmlinuz))
        {
            log($"kernel: {package} {version} (cached)");
            return PreferUncompressed(vmlinuz, log);
        }

        var work = Path.Combine(kernels, $".download-{Environment.ProcessId}");
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        try
        {
            var download = HostCommand.Run("apt-get", ["download", $"{package}={version}"], work);
            if (download.ExitCode != 0)
            {
                // Lists older than the archive name a .deb that is gone (404). Refreshing them
                // is what a developer would do by hand, and CI runs as root.
                if (!listsRefreshed && Environment.UserName == "root")
                {
                    log($"kernel: download of {package} {version} failed; refreshing apt lists");
                    HostCommand.Run("apt-get", ["update", "-q"]);
                    return Fetch(cacheRoot, log, listsRefreshed: true);
                }
                throw new HarnessSetupException(
                    $"`apt-get download {package}={version}` failed (exit {download.ExitCode}); the cgroup v2 VM needs this kernel.\n" +
                    $"{HostCommand.Tail(download.Stderr)}\nRun `apt-get update` and try again.");
            }
            var deb = Directory.GetFiles(work, "*.deb").Single();
            // Only the compressed kernel: the modules and the rest of the package are not needed.
            HostCommand.Pipeline("dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" --wildcards './boot/vmlinuz-*'", deb, work);
            var extracted = Directory.GetFiles(Path.Combine(work, "boot"), "vmlinuz-*").Single();
            Directory.CreateDirectory(dir);
            File.Move(extracted, vmlinuz + ".tmp", overwrite: true);
            File.Move(vmlinuz + ".tmp", vmlinuz, overwrite: true);
            log($"kernel: downloaded {package} {version}");
            return PreferUncompressed(vmlinuz, log);
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The kernel inside the bzImage, as an ELF that qemu can start directly through its PVH
    /// entry point. Measured here: it skips the firmware's kernel loading and the in-guest
    /// XZ decompression, which under software emulation cost 3-12 s per boot. Falls back to
    /// the bzImage whenever the kernel is not XZ-packed or has no PVH note.
    /// </summary>
    private static ReadOnlySpan<byte> XzMagic => [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00];

    private static string PreferUncompressed(string vmlinuz, Action<string> log)
    {
        var vmlinux = Path.Combine(Path.GetDirectoryName(vmlinuz)!, "vmlinux-pvh");
        var none = vmlinux + ".none";
        if (File.Exists(vmlinux)) return vmlinux;
        if (File.Exists(none)) return vmlinuz;
        try
        {
            var image = File.ReadAllBytes(vmlinuz);
            var at = image.AsSpan().IndexOf(XzMagic);
            if (at < 0 || HostCommand.Which("xz") is null || HostCommand.Which("readelf") is null)
                throw new InvalidOperationException("not an XZ-packed bzImage, or xz/readelf missing");
            var packed = vmlinux + ".xz";
            File.WriteAllBytes(packed, image[at..]);
            var tmp = vmlinux + ".tmp";
            HostCommand.Pipeline("xz -dc --single-stream \"$1\" > \"$2\"", packed, tmp);
            File.Delete(packed);
            // XEN_ELFNOTE_PHYS32_ENTRY (18) is the PVH entry point qemu looks for.
            if (!HostCommand.Check("readelf", ["-n", tmp]).Contains("0x00000012", StringComparison.Ordinal))
            {
                File.Delete(tmp);
                throw new InvalidOperationException("the kernel has no PVH entry note");
            }
            File.Move(tmp, vmlinux, overwrite: true);
            log("kernel: using the uncompressed ELF through qemu's PVH entry");
            return vmlinux;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            log($"kernel: booting the bzImage ({e.Message})");
            File.WriteAllText(none, e.Message);
            return vmlinuz;
        }
    }

    /// <summary>The image package the meta package points at now, and its candidate version.</summary>
    private static (string? Package, string? Version) ResolveImagePackage()
    {
        var depends = HostCommand.Run("apt-cache", ["depends", MetaPackage]);
        if (depends.ExitCode != 0) return (null, null);
        var m = DependsLine().Match(depends.Stdout);
        if (!m.Success) return (null, null);
        var package = m.Groups[1].Value;

        var policy = HostCommand.Run("apt-cache", ["policy", package]);
        var v = CandidateLine().Match(policy.Stdout);
        return v.Success && v.Groups[1].Value != "(none)" ? (package, v.Groups[1].Value) : (package, null);
    }

    [GeneratedRegex(@"^\s*Depends:\s*(linux-image-\S+)", RegexOptions.Multiline)]
    private static partial Regex DependsLine();

    [GeneratedRegex(@"^\s*Candidate:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex CandidateLine();
}
