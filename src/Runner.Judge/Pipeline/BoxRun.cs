using Runner.Judge.Languages;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;

namespace Runner.Judge.Pipeline;

/// <summary>Runs one step (compile, test or checker) in a fresh box directory of its own.</summary>
internal sealed class BoxRun(JudgeOptions options, string sessionPath, CancellationToken cancellationToken)
{
    private int _next;

    /// <summary>A new, empty directory for the next box; the caller disposes it (removing it).</summary>
    public BoxDirectory NewDirectory(string label) =>
        BoxDirectory.Create(sessionPath, $"{Interlocked.Increment(ref _next):D4}-{label}");

    public SandboxResult Run(BoxDirectory dir, LanguageDefinition language, IReadOnlyList<string> argv,
        SandboxLimits limits, string? stdinPath = null)
    {
        var result = Box.Run(Spec(dir, language, argv, limits, stdinPath), options.Sandbox, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    /// <summary>Two boxes, each one's stdout the other's stdin (an interactive test: program, then interactor).</summary>
    public ConnectedResult RunConnected(SandboxSpec first, SandboxSpec second)
    {
        var result = Box.RunConnected(first, second, options.Sandbox, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    public SandboxSpec Spec(BoxDirectory dir, LanguageDefinition language, IReadOnlyList<string> argv,
        SandboxLimits limits, string? stdinPath = null) => new()
        {
            Argv = argv,
            Environment = language.Environment ?? new Dictionary<string, string>(),
            Limits = limits,
            WorkDir = dir.FullPath,
            StdinPath = stdinPath,
            RootfsPath = options.RootfsPath,
        };
}
