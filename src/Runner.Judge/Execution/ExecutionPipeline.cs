using Runner.Judge.Languages;
using Runner.Judge.Pipeline;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;

namespace Runner.Judge.Execution;

/// <summary>
/// Compile (unless the language has no real compile step) and run one program, the way
/// Judge0 and Piston do, in fresh boxes under the judge's work root.
/// </summary>
public static class ExecutionPipeline
{
    /// <exception cref="JudgeRequestException">Unknown language or invalid limits.</exception>
    public static ExecutionReport Run(ExecutionRequest request, JudgeOptions options, CancellationToken cancellationToken = default)
    {
        var catalog = options.Languages ?? LanguageCatalog.Load();
        var language = catalog.Find(request.Language)
            ?? throw new JudgeRequestException("language", $"unknown language '{request.Language}'");
        try
        {
            request.RunLimits.Validate();
            request.CompileLimits?.Validate();
        }
        catch (SandboxSpecException e)
        {
            throw new JudgeRequestException(e.Field, e.Message);
        }

        try
        {
            using var session = BoxDirectory.Create(WorkRoot.Prepare(options.WorkRoot), "exec-" + Guid.NewGuid().ToString("N"));
            return Execute(request, options, language, new BoxRun(options, session.FullPath, pool: null, cancellationToken));
        }
        catch (IOException e)
        {
            return new ExecutionReport { InternalError = $"judge: {e.Message}" };
        }
    }

    private static ExecutionReport Execute(ExecutionRequest request, JudgeOptions options, LanguageDefinition language, BoxRun boxes)
    {
        var sourceFile = request.SourceFile ?? language.SourceFile;
        IReadOnlyList<string> Named(IReadOnlyList<string> argv) => sourceFile == language.SourceFile
            ? argv
            : argv.Select(a => a == language.SourceFile ? sourceFile
                : a == Path.GetFileNameWithoutExtension(language.SourceFile) ? Path.GetFileNameWithoutExtension(sourceFile) : a).ToArray();

        IReadOnlyList<BoxFile> artifacts;
        SandboxResult? compiled = null;
        using (var dir = boxes.NewDirectory("compile"))
        {
            dir.WriteFile(sourceFile, request.Source);
            foreach (var f in request.Files) dir.WriteFile(f.Name, f.Content);
            if (language.Compile is { } compile && !(request.SkipCheckOnlyCompile && language.CompileChecksOnly))
            {
                var argv = Named(language.Expand(compile, request.RunLimits.MemoryBytes)).ToList();
                var at = argv.IndexOf(sourceFile);
                argv.InsertRange(at < 0 ? argv.Count : at, request.CompileArguments);
                var limits = request.CompileLimits ?? options.CompileLimits;
                if (language.CompileLimits is { } adjust) limits = adjust.Apply(limits);
                compiled = boxes.Run(dir, language, argv, limits);
                if (compiled.Status != SandboxStatus.Ok) return new ExecutionReport { Compile = compiled };
            }
            artifacts = dir.Snapshot(options.MaxArtifactBytes, maxFiles: 10_000);
        }

        var runLimits = request.RunLimits;
        if (language.RunLimits is { } runAdjust) runLimits = runAdjust.Apply(runLimits);
        var runArgv = Named(language.Expand(language.Run, request.RunLimits.MemoryBytes)).Concat(request.RunArguments).ToArray();
        var runs = new List<SandboxResult>();
        for (var i = 0; i < Math.Max(1, request.Runs); i++)
        {
            using var dir = boxes.NewDirectory("run");
            dir.Restore(artifacts);
            // The input goes to a judge-only file beside the box directory, never inside it.
            var stdin = dir.FullPath + ".in";
            File.WriteAllBytes(stdin, request.Stdin);
            try
            {
                runs.Add(boxes.Run(dir, language, runArgv, runLimits, stdin));
            }
            finally
            {
                File.Delete(stdin);
            }
            if (runs[^1].Status != SandboxStatus.Ok) break;
        }
        var peaks = runs.Where(r => r.MemoryPeak is not null).Select(r => r.MemoryPeak!.Value).ToList();
        return new ExecutionReport
        {
            Compile = compiled,
            Run = runs[^1],
            Runs = runs.Count,
            AverageCpuTime = runs.Average(r => r.CpuTime),
            AverageWallTime = runs.Average(r => r.WallTime),
            AverageMemoryPeak = peaks.Count == 0 ? null : (long)peaks.Average(),
        };
    }
}
