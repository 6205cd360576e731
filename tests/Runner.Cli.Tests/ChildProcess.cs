using System.Diagnostics;

namespace Runner.Cli.Tests;

/// <summary>A program run to its end as a script would run it, with its output collected.</summary>
internal static class ChildProcess
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(IEnumerable<string> argv, IDictionary<string, string>? env = null)
    {
        var list = argv.ToList();
        var start = new ProcessStartInfo(list[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in list.Skip(1)) start.ArgumentList.Add(arg);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
