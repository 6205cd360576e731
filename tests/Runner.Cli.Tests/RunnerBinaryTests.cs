using System.Diagnostics;

namespace Runner.Cli.Tests;

/// <summary>The real executable, to cover what in-process tests cannot: Program.cs, the console wiring, the exit status.</summary>
public class RunnerBinaryTests
{
    [Fact]
    public async Task The_built_runner_binary_exits_2_with_one_stderr_line_for_a_bad_argument()
    {
        // The project reference copies the Runner.Cli apphost next to the test assembly.
        var runner = Path.Combine(AppContext.BaseDirectory, "runner");
        Assert.True(File.Exists(runner), $"apphost not found at {runner}");

        var start = new ProcessStartInfo(runner)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "run", "--memory", "abc", "--", "/bin/true" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("", await stdout);
        Assert.Equal("runner: --memory: expected a size like 256M or 1G, got 'abc'\n", await stderr);
    }
}
