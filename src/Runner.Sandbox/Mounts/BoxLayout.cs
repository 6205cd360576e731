using Runner.Sandbox.Namespaces;

namespace Runner.Sandbox.Mounts;

/// <summary>
/// The filesystem and hostname a box's init sets up before it waits for its program (see
/// <see cref="Launch.PreparedBox"/>). A box made for one program has all of it, /box and binds
/// included (<see cref="For"/>). A warm box is made before its program is known
/// (<see cref="Ahead"/>): it has the root image, /etc, /proc, /dev and /tmp of the default sizes,
/// and /box is only a mount point, so the program's critical path keeps only its own mounts
/// (<see cref="MountNamespace.AddRunSteps"/>). Such a box can serve a program with the same root
/// image and hostname and no binds; its work dir is attached as a detached mount, which needs a
/// privileged engine.
/// </summary>
internal sealed record BoxLayout(MountPlan Mounts, string? RootfsPath, string Hostname, long TmpfsBytes, bool BoxMounted)
{
    /// <summary>Everything <paramref name="spec"/> asks for. Throws <see cref="SandboxSpecException"/> for a bind that cannot be placed.</summary>
    public static BoxLayout For(SandboxSpec spec) =>
        new(MountNamespace.Describe(spec), spec.RootfsPath, spec.Hostname, spec.Limits.TmpfsBytes, BoxMounted: true);

    /// <summary>A tree built before the program is known, for programs with this root image and hostname.</summary>
    public static BoxLayout Ahead(string? rootfsPath, string hostname)
    {
        var tmpfsBytes = new SandboxLimits().TmpfsBytes;
        return new(MountNamespace.DescribeAhead(rootfsPath, hostname, tmpfsBytes), rootfsPath, hostname, tmpfsBytes, BoxMounted: false);
    }

    /// <summary>The layout a box built ahead needs to serve <paramref name="spec"/>.</summary>
    public static BoxLayout AheadFor(SandboxSpec spec) => Ahead(spec.RootfsPath, spec.Hostname);

    /// <summary>
    /// Whether any box built ahead can serve <paramref name="spec"/>: binds need mount points in
    /// the tree, and a work dir is cloned as a mount on the host, which only root may do.
    /// </summary>
    public static bool CanBeBuiltAheadFor(SandboxSpec spec, bool privileged) =>
        spec.Binds.Count == 0 && (spec.WorkDir is null || privileged);

    /// <summary>True when this box's tree is the one <paramref name="spec"/> would see.</summary>
    public bool Serves(SandboxSpec spec) =>
        !BoxMounted && spec.RootfsPath == RootfsPath && spec.Hostname == Hostname && spec.Binds.Count == 0;
}
