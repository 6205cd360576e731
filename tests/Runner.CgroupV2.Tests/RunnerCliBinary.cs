namespace Runner.CgroupV2.Tests;

/// <summary>
/// The NativeAOT `runner` that goes into the guest. NativeAOT because the guest has no
/// .NET runtime: the binary needs only libc, libm and the loader, which the initramfs copies.
/// </summary>
internal static class RunnerCliBinary
{
    public const string PathVariable = "RUNNER_CLI_PATH";

    public static string Locate(string cacheRoot, Action<string> log)
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } given)
        {
            if (!File.Exists(given))
                throw new HarnessSetupException($"{PathVariable}={given}, but no such file exists.");
            log($"runner: {given} (from {PathVariable})");
            return Path.GetFullPath(given);
        }

        var repo = FindRepositoryRoot()
            ?? throw new HarnessSetupException(
                $"Cannot find Runner.sln above {AppContext.BaseDirectory} to publish src/Runner.Cli; " +
                $"set {PathVariable} to a NativeAOT `runner` binary instead.");
        var output = Path.Combine(cacheRoot, "runner-cli");
        // A private artifacts path keeps this Release publish out of src/Runner.Cli/obj,
        // where a concurrent Debug build of the solution may be writing.
        var artifacts = Path.Combine(cacheRoot, "runner-cli-artifacts");
        var started = DateTime.UtcNow;
        var r = HostCommand.Run(
            "dotnet",
            ["publish", Path.Combine(repo, "src", "Runner.Cli"), "-c", "Release", "-o", output, "--artifacts-path", artifacts, "-nologo"],
            repo,
            TimeSpan.FromMinutes(8));
        if (r.ExitCode != 0)
            throw new HarnessSetupException(
                $"`dotnet publish src/Runner.Cli` failed (exit {r.ExitCode}), so there is no runner for the guest:\n{HostCommand.Tail(r.Stdout)}\n{HostCommand.Tail(r.Stderr)}");
        var binary = Path.Combine(output, "runner");
        if (!File.Exists(binary))
            throw new HarnessSetupException($"`dotnet publish src/Runner.Cli` succeeded but left no {binary}; is PublishAot still on?");
        log($"runner: published {binary} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        return binary;
    }

    public static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Runner.sln")))
                return dir.FullName;
        return null;
    }
}
