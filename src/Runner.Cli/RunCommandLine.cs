using Runner.Sandbox;

namespace Runner.Cli;

/// <summary>A parsed <c>runner run</c> command line.</summary>
/// <param name="Spec">Null only when <paramref name="Help"/> is set.</param>
internal sealed record RunCommandLine(SandboxSpec? Spec, bool Json, bool Help = false);
