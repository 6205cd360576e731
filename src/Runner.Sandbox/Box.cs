using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Launch;
using Runner.Sandbox.Metrics;

namespace Runner.Sandbox;

/// <summary>The engine's entry point.</summary>
public static class Box
{
    private static readonly Lock HierarchyLock = new();
    private static (SandboxOptions Options, ICgroupHierarchy Hierarchy)? _detected;

    /// <summary>
    /// Runs one program in a fresh box and returns its result. Faults inside the run come back
    /// as <see cref="SandboxStatus.InternalError"/>; only an invalid spec throws
    /// (<see cref="SandboxSpecException"/>). It returns once nothing of the program is left in
    /// the box, with the box's usage read and its work dir (and read-write bind sources) handed
    /// back to their owner; the box's init exit, cgroup removal and slot release follow on a
    /// thread of the engine (see <see cref="DrainTeardowns"/>).
    /// </summary>
    public static SandboxResult Run(SandboxSpec spec, SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        options.Validate();
        spec.Validate();
        using var launch = SandboxMetrics.Started();
        ICgroupHierarchy hierarchy;
        try
        {
            hierarchy = HierarchyFor(options);
        }
        catch (CgroupUnavailableException e)
        {
            return launch.Ended(new SandboxResult { Status = SandboxStatus.InternalError, FailedStep = LaunchStep.Cgroup, Message = e.Message });
        }
        if (options.WarmBoxes > 0) return launch.Ended(WarmPool.For(options).Run(spec, cancellationToken));
        return launch.Ended(Launcher.Run(spec, options, hierarchy, cancellationToken));
    }

    /// <summary>
    /// Runs two programs in two fresh boxes connected by pipes: <paramref name="first"/>'s stdout
    /// is <paramref name="second"/>'s stdin and the other way round (an interactive judge's
    /// contestant and interactor). Each box keeps its own limits, cgroup and slot; the two slots
    /// are taken together, and both programs start at the same moment. A box that exits closes its
    /// pipe ends, so its partner reads EOF (or gets SIGPIPE writing). Neither stdout is captured;
    /// stderr is, as usual. Needs at least two slots.
    /// </summary>
    /// <exception cref="SandboxSpecException">A spec is invalid, or names a stdin file (its stdin is the partner).</exception>
    public static ConnectedResult RunConnected(SandboxSpec first, SandboxSpec second, SandboxOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        options.Validate();
        first.Validate();
        second.Validate();
        if (first.StdinPath is not null || second.StdinPath is not null)
            throw new SandboxSpecException("stdin_path", "a connected box reads its partner's output: it takes no stdin file");
        if (options.SlotCount < 2)
            return ConnectedLaunch.Failed($"connected boxes need two box slots at once, and this host has {options.SlotCount} (RUNNER_SLOTS)");
        ICgroupHierarchy hierarchy;
        try
        {
            hierarchy = HierarchyFor(options);
        }
        catch (CgroupUnavailableException e)
        {
            return ConnectedLaunch.Failed(e.Message);
        }
        return SandboxMetrics.Connected(() => ConnectedLaunch.Run(first, second, options, hierarchy, cancellationToken));
    }

    /// <summary>
    /// Waits until every box this process ran has been torn down: its init gone, its cgroup
    /// removed, its slot free. Called at process exit by itself; call it before checking that
    /// nothing was left on the host, or before handing the host to something else.
    /// </summary>
    public static void DrainTeardowns() => BoxTeardown.Drain();

    /// <summary>
    /// True (the default): an engine thread tears boxes down right after their results. False:
    /// teardowns wait for <see cref="DrainTeardowns"/> (or for a launch that needs their slot, or
    /// process exit), which saves starting that thread in a process that runs one box and exits.
    /// </summary>
    public static bool TeardownsInBackground
    {
        get => BoxTeardown.InBackground;
        set => BoxTeardown.InBackground = value;
    }

    /// <summary>Boxes whose teardown is queued or running.</summary>
    public static int PendingTeardowns => BoxTeardown.Pending;

    /// <summary>Teardowns that failed in this process (also counted by the metric runner.box.teardown_failures).</summary>
    public static long TeardownFailures => BoxTeardown.Failures;

    /// <summary>What the last failed teardown reported, or null.</summary>
    public static string? LastTeardownFailure => BoxTeardown.LastFailure;

    /// <summary>
    /// The state directory boxes run with these options share (slot locks, mount points; a
    /// resident engine's socket): <see cref="SandboxOptions.StateDirectory"/>, or /run/runner for
    /// root and $XDG_RUNTIME_DIR/runner otherwise.
    /// </summary>
    public static string StateDirectoryOf(SandboxOptions options) => StateDirectory.Resolve(options);

    /// <summary>
    /// Creates <see cref="StateDirectoryOf"/> if need be and checks that it is owned by this uid
    /// and writable by nobody else; returns it.
    /// </summary>
    public static string PrepareStateDirectory(SandboxOptions options)
    {
        var directory = StateDirectory.Resolve(options);
        StateDirectory.Prepare(directory);
        return directory;
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
