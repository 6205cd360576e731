using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Launch;

namespace Runner.Sandbox;

/// <summary>The engine's entry point.</summary>
public static class Box
{
    private static readonly Lock HierarchyLock = new();
    private static (SandboxOptions Options, ICgroupHierarchy Hierarchy)? _detected;

    /// <summary>
    /// Runs one program in a fresh box and returns its result. Faults inside the run come back
    /// as <see cref="SandboxStatus.InternalError"/>; only an invalid spec throws
    /// (<see cref="SandboxSpecException"/>).
    /// </summary>
    public static SandboxResult Run(SandboxSpec spec, SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        options.Validate();
        spec.Validate();
        ICgroupHierarchy hierarchy;
        try
        {
            hierarchy = HierarchyFor(options);
        }
        catch (CgroupUnavailableException e)
        {
            return new SandboxResult { Status = SandboxStatus.InternalError, FailedStep = LaunchStep.Cgroup, Message = e.Message };
        }
        if (options.WarmBoxes > 0) return WarmPool.For(options).Run(spec, cancellationToken);
        return Launcher.Run(spec, options, hierarchy, cancellationToken);
    }

    /// <summary>
    /// The cgroup version is detected once per options value, and box cgroups that a killed
    /// launcher left behind are swept then (see <see cref="BoxSlot.SweepOrphans"/>).
    /// </summary>
    internal static ICgroupHierarchy HierarchyFor(SandboxOptions options)
    {
        lock (HierarchyLock)
        {
            if (_detected is { } d && d.Options == options) return d.Hierarchy;
            var hierarchy = CgroupHierarchy.Detect(options.CgroupRoot, options.CgroupParent);
            BoxSlot.SweepOrphans(StateDirectory.Resolve(options), hierarchy);
            _detected = (options, hierarchy);
            return hierarchy;
        }
    }
}
