namespace Runner.Cli.Tests;

/// <summary>
/// What a rootless end-to-end test leaves: its cgroup parent under each v1 controller (with the
/// boxes' emptied cgroups below it), the copied binaries and the state directory.
/// </summary>
internal static class RootlessLeftovers
{
    public static void Remove(string tag, IEnumerable<string> controllers, DirectoryInfo install, string state)
    {
        foreach (var c in controllers)
        {
            var dir = $"/sys/fs/cgroup/{c}/{tag}";
            if (!Directory.Exists(dir)) continue;
            foreach (var box in Directory.EnumerateDirectories(dir)) Directory.Delete(box);
            Directory.Delete(dir);
        }
        install.Delete(true);
        if (Directory.Exists(state)) Directory.Delete(state, true);
    }
}
