namespace Runner.Security.Tests.Containment;

/// <summary>
/// The suite's shared ground: the engine options, the compiled probes and a host scratch dir
/// of sentinel files that no box may change.
///
/// The suite uses a private box uid range with its own state directory (slot locks). Nothing
/// else on this machine hands out uids in that range, so "no process with a box uid" can be
/// checked strictly: any process in the range is a leftover of this suite. The slot-lock rule
/// (one state directory per uid range) still holds, since the range is used only here.
/// </summary>
public sealed partial class Arena : IDisposable
{
    public const int FirstBoxUid = 300_000;
    public const string CgroupParent = "runner-security-tests";
    private const string StateDirectory = "/run/runner-security-tests";

    /// <summary>Marker put in every hostile box's environment and argv, for diagnostics.</summary>
    public const string MarkerVariable = "RUNNER_SECURITY_CASE";

    internal SandboxOptions Options { get; } = new()
    {
        FirstBoxUid = FirstBoxUid,
        SlotCount = 8,
        CgroupParent = CgroupParent,
        StateDirectory = StateDirectory,
    };

    /// <summary>Same range and locks, one slot: consecutive runs are guaranteed the same uid.</summary>
    internal SandboxOptions SingleSlot => Options with { SlotCount = 1 };

    internal HostileProgram Programs { get; }

    /// <summary>Host dir (0755) of sentinels: a public file, a 0600 secret, and a file owned by the first box uid.</summary>
    public string Scratch { get; }
    public string SentinelFile => Path.Combine(Scratch, "sentinel.txt");
    public string SecretFile => Path.Combine(Scratch, "secret.txt");
    /// <summary>Owned by the box uid of slot 0, so a host chown that follows a link into Scratch would change it.</summary>
    public string BoxOwnedSentinel => Path.Combine(Scratch, "boxowned", "victim");
    public const string Secret = "db-password-Zq8vN3kLr2";

    internal Dictionary<string, HostFile?> SentinelBaseline { get; }

    public Arena()
    {
        Programs = new HostileProgram(NewPublicDirectory("runner-security-probes-"));
        Scratch = NewPublicDirectory("runner-security-scratch-");
        File.WriteAllText(SentinelFile, "host sentinel\n");
        File.WriteAllText(SecretFile, Secret + "\n");
        File.SetUnixFileMode(SecretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.CreateDirectory(Path.GetDirectoryName(BoxOwnedSentinel)!);
        File.WriteAllText(BoxOwnedSentinel, "owned by the box uid\n");
        Chown(BoxOwnedSentinel, FirstBoxUid, FirstBoxUid);
        SentinelBaseline = SnapshotSentinels();
    }

    internal Dictionary<string, HostFile?> SnapshotSentinels() =>
        Directory.EnumerateFileSystemEntries(Scratch, "*", SearchOption.AllDirectories).Append(Scratch)
            .ToDictionary(p => p, HostFile.Lstat);

    /// <summary>A fresh 0755 host directory (Directory.CreateTempSubdirectory makes 0700, which a box uid cannot enter).</summary>
    public static string NewPublicDirectory(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ed);
        return dir;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int lchown(string path, int uid, int gid);

    public static void Chown(string path, int uid, int gid)
    {
        if (lchown(path, uid, gid) < 0)
            throw new IOException($"lchown {path}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    public void Dispose()
    {
        foreach (var dir in new[] { Programs.Directory, Scratch })
            try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}

[CollectionDefinition("Attacks", DisableParallelization = true)]
public sealed class AttacksCollection : ICollectionFixture<Arena>;
