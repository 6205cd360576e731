using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Launch;

/// <summary>
/// The last ops of the plan: execve along the box's PATH, as execvp would, since the child
/// cannot search for the program itself. Every candidate but the last may fail; the last one's
/// errno is what the parent reports.
/// </summary>
internal static class ProgramExec
{
    public const string DefaultPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

    public static IReadOnlyList<string> Environment(SandboxSpec spec)
    {
        var env = new Dictionary<string, string>
        {
            ["PATH"] = DefaultPath,
            ["HOME"] = "/box",
            ["LANG"] = "C.UTF-8",
        };
        foreach (var (name, value) in spec.Environment) env[name] = value;
        return [.. env.Select(kv => $"{kv.Key}={kv.Value}")];
    }

    public static void AddChildSteps(SyscallPlan plan, SandboxSpec spec)
    {
        var a = plan.Arena;
        var argv = a.StringArray(spec.Argv);
        var envp = a.StringArray(Environment(spec));
        var program = spec.Argv[0];
        var searchPath = spec.Environment.TryGetValue("PATH", out var p) ? p : DefaultPath;
        var candidates = program.Contains('/')
            ? [program]
            : searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => $"{dir.TrimEnd('/')}/{program}").ToArray();
        for (var i = 0; i < candidates.Length; i++)
        {
            var last = i == candidates.Length - 1;
            plan.Add(LaunchStep.Execve, $"execve {(last && candidates.Length > 1 ? program + " (searched PATH)" : candidates[i])}",
                Sys.Execve, a.String(candidates[i]), argv, envp, flags: last ? NativeLaunch.CheckNonNegative : NativeLaunch.CheckNone);
        }
    }
}
