using System.Collections.Concurrent;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Launch;

/// <summary>
/// Where slot locks live and where each box's root tmpfs is mounted (inside the box's own
/// mount namespace only; the host never sees that mount).
/// </summary>
internal static class StateDirectory
{
    public static string Resolve(SandboxOptions options)
    {
        if (options.StateDirectory is { } configured) return configured;
        if (Libc.geteuid() == 0) return "/run/runner";
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime) ? $"/tmp/runner-{Libc.geteuid()}" : Path.Combine(runtime, "runner");
    }

    private static readonly ConcurrentDictionary<string, string> Prepared = new();

    /// <summary>
    /// Creates the directory and the new-root mount point, which the box uid must be able to
    /// traverse, and checks who owns it: once per directory and process, not on every launch.
    /// </summary>
    public static string Prepare(string directory) => Prepared.GetOrAdd(directory, PrepareOnce);

    private static string PrepareOnce(string directory)
    {
        var newRoot = Path.Combine(directory, "root");
        Directory.CreateDirectory(newRoot);
        const UnixFileMode traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(directory, traversable);
        File.SetUnixFileMode(newRoot, traversable);
        RequireOwnedByUs(directory);
        return newRoot;
    }

    /// <summary>
    /// Slot locks and compiled seccomp programs live here, so nobody else may own or write it:
    /// the rootless fallback /tmp/runner-UID could otherwise be prepared by another user.
    /// </summary>
    private static void RequireOwnedByUs(string directory)
    {
        if (FileStatus.OfPathNoFollow(directory) is not { } status)
            throw new IOException($"state directory {directory}: {ErrnoName.Describe(Libc.Errno)}");
        const uint groupOrOtherWrite = 0x12;
        if (!status.IsDirectory || status.Uid != Libc.geteuid() || (status.Mode & groupOrOtherWrite) != 0)
            throw new IOException($"state directory {directory} must be a directory owned by uid {Libc.geteuid()} and writable by nobody else; remove it or set RUNNER_STATE_DIR");
    }
}
