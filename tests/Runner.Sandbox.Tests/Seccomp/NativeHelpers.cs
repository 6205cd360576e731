using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Runner.Sandbox.Tests.Seccomp;

/// <summary>Builds the C programs under harness/ with the system gcc, once per test run.</summary>
public static class NativeHelpers
{
    private static readonly Lazy<string> BuildDir = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), $"runner-seccomp-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        };
        Gcc(Path.Combine(HarnessDir(), "seccomp_probe.c"), Path.Combine(dir, "seccomp_probe"), "-lpthread");
        Gcc(Path.Combine(HarnessDir(), "constants.c"), Path.Combine(dir, "constants"));
        return dir;
    });

    public static string ProbePath => Path.Combine(BuildDir.Value, "seccomp_probe");

    public static string ConstantsPath => Path.Combine(BuildDir.Value, "constants");

    /// <summary>A fresh directory for one test's files (filters, mount targets).</summary>
    public static string NewTempDir()
    {
        var dir = Path.Combine(BuildDir.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    // The sources sit beside this file; the path is baked in at build time, which holds because
    // tests are always built and run from the same checkout.
    private static string HarnessDir([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "harness");

    private static void Gcc(string source, string output, params string[] extra)
    {
        var (code, stdout, stderr) = Run("gcc", ["-O1", "-Wall", "-Wextra", "-Werror", "-o", output, source, .. extra], TimeSpan.FromMinutes(1));
        if (code != 0)
            throw new InvalidOperationException($"gcc failed to build {source}:\n{stdout}{stderr}");
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
