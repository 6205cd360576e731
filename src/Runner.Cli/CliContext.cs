using Runner.Judge;
using Runner.Sandbox;

namespace Runner.Cli;

/// <summary>
/// Everything the commands touch outside their arguments. Tests swap in buffers and a fake
/// engine; <see cref="CliMain"/> wires the real console and <see cref="Box"/>.
/// </summary>
internal sealed class CliContext
{
    /// <summary>Standard output as bytes, because the program's stdout is relayed unchanged.</summary>
    public required Stream Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Whether <see cref="Error"/> is a terminal a person watches (then <c>runner judge</c> shows progress).</summary>
    public bool ErrorIsTerminal { get; init; }

    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Base for relative host paths on the command line.</summary>
    public string CurrentDirectory { get; init; } = Environment.CurrentDirectory;

    public Func<SandboxSpec, SandboxOptions, CancellationToken, SandboxResult> RunSandbox { get; init; } =
        Box.Run;

    /// <summary>
    /// Whether <c>runner run</c> hands its run to a resident engine (<c>runner engine</c>, found
    /// through RUNNER_ENGINE) before <see cref="RunSandbox"/>; the real CLI does, tests opt in.
    /// </summary>
    public bool UseEngine { get; init; }

    public Func<JudgeRequest, JudgeOptions, IProgress<JudgeProgress>?, CancellationToken, JudgeReport> RunJudge { get; init; } =
        JudgePipeline.Run;

    public Func<SandboxOptions, HostCheckReport> CheckHost { get; init; } = HostCheck.Run;

    /// <summary>Signalled on SIGINT/SIGTERM so the engine can tear the box down before we exit.</summary>
    public CancellationToken Cancellation { get; init; }
}
