using System.Diagnostics;

namespace Runner.CgroupV2.Tests;

/// <summary>The result of one host tool run: exit code and both streams.</summary>
internal sealed record HostCommandResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs the host tools the harness needs (apt, dpkg-deb, gcc, cpio, dotnet). Arguments are
/// always an argv list; the few pipelines go through <c>sh -c</c> with a constant script
/// and the paths as positional parameters, so no path is ever parsed by a shell.
/// </summary>
internal static class HostCommand
{
    public static HostCommandResult Run(string program, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // apt and dpkg must never stop to ask a question: there is nobody to answer.
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";

        using var process = Process.Start(psi)
            ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Describe(program, args)} did not finish within {limit.TotalSeconds:0} s");
        }
        process.WaitForExit();
        return new HostCommandResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Like <see cref="Run"/>, but a non-zero exit is an error that quotes the tool's output.</summary>
    public static string Check(string program, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var list = args.ToList();
        var r = Run(program, list, workingDirectory, timeout);
        if (r.ExitCode != 0)
            throw new InvalidOperationException(
                $"{Describe(program, list)} exited with {r.ExitCode}\n{Tail(r.Stdout)}\n{Tail(r.Stderr)}".TrimEnd());
        return r.Stdout;
    }

    /// <summary>Runs a constant shell pipeline; <paramref name="positional"/> become $1, $2, ...</summary>
    public static string Pipeline(string script, params string[] positional)
        => Check("sh", ["-c", "set -e; " + script, "sh", .. positional]);

    /// <summary>Finds <paramref name="name"/> on PATH or in the sbin directories, or null.</summary>
    public static string? Which(string name)
    {
        // ldconfig lives in /usr/sbin, which a non-root developer's PATH often lacks.
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "") + ":/usr/sbin:/sbin";
        foreach (var dir in path.Split(':'))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static string Tail(string text, int lines = 40)
    {
        var all = text.Replace("\r", "").Split('\n');
        return string.Join('\n', all.Length <= lines ? all : all[^lines..]);
    }

    private static string Describe(string program, IEnumerable<string> args)
        => string.Join(' ', new[] { program }.Concat(args));
}
