using System.Diagnostics;

namespace Runner.Api.Tests.Infrastructure;

/// <summary>The built <c>runner</c> executable (src/Runner.Cli), run as a script would, under the service tests' cgroup parent.</summary>
public static class RunnerCli
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var runner = Path.Combine(RepoPaths.Root, "src", "Runner.Cli", "bin", configuration, "net10.0", "runner");
        if (!File.Exists(runner)) throw new InvalidOperationException($"{runner} is missing; build src/Runner.Cli ({configuration})");
        var start = new ProcessStartInfo(runner) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["RUNNER_CGROUP_PARENT"] = RunnerHost.CgroupParent;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
