using Runner.Sandbox;

namespace Runner.Sandbox.Tests.Engine;

/// <summary>Runs real boxes on this machine, under a cgroup parent of the tests' own.</summary>
internal static class BoxRunner
{
    public static readonly SandboxOptions Options = new() { CgroupParent = "runner-tests", StateDirectory = "/run/runner-tests" };

    public static SandboxResult Run(params string[] argv) => Run(new SandboxSpec { Argv = argv });

    public static SandboxResult Run(SandboxSpec spec) => Sandbox.Run(spec, Options);

    public static SandboxResult Sh(string script, SandboxLimits? limits = null) =>
        Run(new SandboxSpec { Argv = ["/bin/sh", "-c", script], Limits = limits ?? new SandboxLimits() });
}
