using Runner.Judge.Languages;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;

namespace Runner.Judge.Pipeline;

/// <summary>
/// Runs one step (compile, test or checker) in a fresh box directory of its own, in a box from
/// <paramref name="pool"/> when the judge has one (<see cref="JudgeOptions.WarmBoxes"/>).
/// </summary>
internal sealed class BoxRun(JudgeOptions options, string sessionPath, WarmPool? pool, CancellationToken cancellationToken)
{
    /// <summary>
    /// How long a step waits for the pool to finish preparing its next box before it launches
    /// cold. A box being prepared is ready sooner than a cold one could be made (the same work,
    /// begun earlier); the wait runs out only when the pool cannot make boxes (or not in time),
    /// and then at most once per submission.
    /// </summary>
    private static readonly TimeSpan WarmBoxWait = TimeSpan.FromMilliseconds(100);

    private int _next;
    private bool _stopWaiting;

    /// <summary>A new, empty directory for the next box; the caller disposes it (removing it).</summary>
    public BoxDirectory NewDirectory(string label) =>
        BoxDirectory.Create(sessionPath, $"{Interlocked.Increment(ref _next):D4}-{label}");

    public SandboxResult Run(BoxDirectory dir, LanguageDefinition language, IReadOnlyList<string> argv,
        SandboxLimits limits, string? stdinPath = null)
    {
        var spec = Spec(dir, language, argv, limits, stdinPath);
        SandboxResult result;
        if (pool is not null)
        {
            // A pool that failed to prepare a box, or kept a step waiting in vain (every warm slot of
            // the host taken), is not waited for again; its boxes are still used when ready.
            if (!_stopWaiting && (pool.LastError is not null || !pool.WaitUntilReady(1, WarmBoxWait))) _stopWaiting = true;
            result = pool.Run(spec, cancellationToken);
        }
        else result = Box.Run(spec, options.Sandbox, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    /// <summary>
    /// At most <paramref name="runs"/> more steps will run in a box of the pool, so it prepares no
    /// box beyond the last one (none is then made and thrown away at the end of the submission).
    /// </summary>
    public void ExpectRuns(int runs) => pool?.Expect(runs);

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
