namespace Runner.CgroupV2.Tests;

/// <summary>
/// The host tools the harness needs, each with the Debian package that provides it.
/// Missing tools are reported together, with the one apt-get line that installs them all
/// (.ci/qemu-deps.sh installs the same list).
/// </summary>
internal static class GuestRequirements
{
    private static readonly (string Tool, string Package)[] Tools =
    [
        ("qemu-system-x86_64", "qemu-system-x86"),
        ("busybox", "busybox-static"),
        ("cpio", "cpio"),
        ("gzip", "gzip"),
        ("gcc", "gcc"),
        ("ldd", "libc-bin"),
        ("ldconfig", "libc-bin"),
        ("apt-get", "apt"),
        ("apt-cache", "apt"),
        ("dpkg-deb", "dpkg"),
        ("timeout", "coreutils"),
    ];

    public const string InstallScript = ".ci/qemu-deps.sh";

    /// <summary>Throws <see cref="HarnessSetupException"/> naming every missing package.</summary>
    public static void Verify()
    {
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var notes = new List<string>();
        foreach (var (tool, package) in Tools)
            if (HostCommand.Which(tool) is null)
            {
                missing.Add(package);
                notes.Add($"'{tool}' is not on PATH (package {package})");
            }

        // The dynamic busybox package provides the same path; a dynamic busybox would need
        // its libraries in the initramfs, and the check scripts assume none are there.
        if (HostCommand.Which("busybox") is { } busybox && ElfHasInterpreter(busybox))
        {
            missing.Add("busybox-static");
            notes.Add($"'{busybox}' is dynamically linked; the guest needs busybox-static");
        }

        // gcc -static needs libc.a, which only libc6-dev ships.
        if (!File.Exists("/usr/lib/x86_64-linux-gnu/libc.a"))
        {
            missing.Add("libc6-dev");
            notes.Add("libc.a is missing, so gcc -static cannot link the guest programs (package libc6-dev)");
        }

        if (missing.Count > 0)
            throw new HarnessSetupException(
                "The cgroup v2 VM tests cannot run on this machine:\n  - " + string.Join("\n  - ", notes) +
                $"\nInstall with:\n  apt-get update && apt-get install -y --no-install-recommends {string.Join(' ', missing)}" +
                $"\n(or run: bash {InstallScript})");
    }

    /// <summary>True when the ELF file has a PT_INTERP header, i.e. needs a dynamic loader.</summary>
    internal static bool ElfHasInterpreter(string path)
    {
        using var f = File.OpenRead(path);
        using var r = new BinaryReader(f);
        if (r.ReadUInt32() != 0x464C457F) return false; // "\x7fELF"
        f.Position = 0x20;
        var phoff = r.ReadInt64();
        f.Position = 0x36;
        var phentsize = r.ReadUInt16();
        var phnum = r.ReadUInt16();
        for (var i = 0; i < phnum; i++)
        {
            f.Position = phoff + (long)i * phentsize;
            if (r.ReadUInt32() == 3) return true; // PT_INTERP
        }
        return false;
    }
}
