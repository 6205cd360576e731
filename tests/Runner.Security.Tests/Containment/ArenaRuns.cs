
namespace Runner.Security.Tests.Containment;

/// <summary>Running hostile programs: every run binds the probes, marks the box, and checks the host afterwards.</summary>
public sealed partial class Arena
{
    /// <summary>Runs <paramref name="spec"/> as given plus the probe bind and marker, then checks every host invariant.</summary>
    internal SandboxResult Run(SandboxSpec spec, SandboxOptions? options = null)
    {
        var result = RunUnchecked(spec, options);
        HostInvariants.Check(this);
        return result;
    }

    /// <summary>For cases that start several boxes and check the host once they all ended.</summary>
    internal SandboxResult RunUnchecked(SandboxSpec spec, SandboxOptions? options = null)
    {
        var marker = $"case-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>(spec.Environment) { [MarkerVariable] = marker };
        var marked = spec with
        {
            Environment = environment,
            Binds = [new BindMount(Programs.Directory, HostileProgram.BoxDirectory), .. spec.Binds],
        };
        return Runner.Sandbox.Box.Run(marked, options ?? Options);
    }

    internal static SandboxSpec Spec(SandboxLimits? limits, params string[] argv) =>
        new() { Argv = argv, Limits = limits ?? new SandboxLimits() };

    /// <summary>Compiles and runs a C probe with the default limits unless given.</summary>
    internal SandboxResult C(string name, string source, SandboxLimits? limits = null, params string[] args) =>
        Run(Spec(limits, [Programs.C(name, source), .. args]));

    internal SandboxResult Sh(string script, SandboxLimits? limits = null) =>
        Run(Spec(limits, "/bin/sh", "-c", HostileProgram.ShellPrelude + script));

    internal SandboxResult Python(string code, SandboxLimits? limits = null) =>
        Run(Spec(limits, "python3", "-c", HostileProgram.PythonPrelude + code));

    internal static string Describe(SandboxResult r) =>
        $"status {r.Status}, exit {r.ExitCode}, signal {r.Signal}, cpu {r.CpuTime:0.000}s, wall {r.WallTime:0.000}s, " +
        $"message '{r.Message}'\nstdout: {Clip(r.Stdout)}\nstderr: {Clip(r.Stderr)}";

    private static string Clip(string s) => s.Length > 2000 ? s[..2000] + "..." : s;
}

/// <summary>Assertions that print the whole result when they fail.</summary>
internal static class Expect
{
    public static void Status(SandboxStatus expected, SandboxResult r) =>
        Assert.True(r.Status == expected, $"expected {expected}: {Arena.Describe(r)}");

    public static void StatusIn(SandboxResult r, params SandboxStatus[] expected) =>
        Assert.True(expected.Contains(r.Status), $"expected one of {string.Join(", ", expected)}: {Arena.Describe(r)}");

    /// <summary>The probe ran to completion inside the box (not refused by its guard) and exited 0.</summary>
    public static void Ok(SandboxResult r) => Status(SandboxStatus.Ok, r);

    /// <summary>Lines of the form "key value..." as a dictionary.</summary>
    public static Dictionary<string, string> Report(SandboxResult r) =>
        r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
}
