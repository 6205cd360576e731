using Runner.Sandbox.Native;

namespace Runner.Sandbox;

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

    /// <summary>Creates the directory and the new-root mount point; the box uid must be able to traverse both.</summary>
    public static string Prepare(string directory)
    {
        var newRoot = Path.Combine(directory, "root");
        Directory.CreateDirectory(newRoot);
        const UnixFileMode traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(directory, traversable);
        File.SetUnixFileMode(newRoot, traversable);
        return newRoot;
    }
}
