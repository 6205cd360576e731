namespace Runner.CgroupV2.Tests;

/// <summary>
/// The harness could not boot the guest (a missing tool, no kernel package, a failed
/// publish). Every test of the collection fails with this message: a missing VM must never
/// look like a pass or a skip.
/// </summary>
internal sealed class HarnessSetupException(string message, Exception? inner = null) : Exception(message, inner);
