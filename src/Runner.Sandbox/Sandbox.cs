namespace Runner.Sandbox;

/// <summary>The engine's entry point.</summary>
public static class Sandbox
{
    /// <summary>
    /// Runs one program in a fresh box and returns its result. Faults inside the run come back
    /// as <see cref="SandboxStatus.InternalError"/>; only an invalid spec throws
    /// (<see cref="SandboxSpecException"/>).
    /// </summary>
    public static SandboxResult Run(SandboxSpec spec, SandboxOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}
