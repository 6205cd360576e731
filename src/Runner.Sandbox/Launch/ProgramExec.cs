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

    /// <summary>
    /// Why execve refused <paramref name="program"/>, when the reason is the program named
    /// rather than the host (E2BIG, ENOMEM and the like stay internal errors: null).
    /// </summary>
    public static string? Explain(string program, int errno) => errno switch
    {
        ENOENT when program.Contains('/') => $"'{program}' does not exist in the box, or its interpreter does not: {ErrnoName.Describe(errno)}",
        ENOENT => $"'{program}' is not in the box's PATH: {ErrnoName.Describe(errno)}",
        EACCES => $"'{program}' is not executable in the box: no execute permission, or a directory: {ErrnoName.Describe(errno)}",
        ENOEXEC => $"'{program}' is not a format the kernel can run: no '#!' line or a foreign binary: {ErrnoName.Describe(errno)}",
        ENOTDIR or ELOOP or ENAMETOOLONG => $"cannot execute '{program}' in the box: {ErrnoName.Describe(errno)}",
        _ => null,
    };

    private const int ENOENT = 2, ENOEXEC = 8, EACCES = 13, ENOTDIR = 20, ENAMETOOLONG = 36, ELOOP = 40;
}
