using System.Text;
using Runner.Judge.Languages;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Native;

namespace Runner.Judge.Pipeline;

/// <summary>
/// Writes a source into a fresh box, compiles it there and takes what the compiler left as the
/// artifacts every later box starts from. A language without a compile step still goes through
/// here, so its artifacts are just the source.
/// </summary>
internal static class Compilation
{
    public sealed record Outcome(CompileReport Report, IReadOnlyList<BoxFile>? Artifacts);

    /// <param name="files">More files beside the source (paths checked by the request), written the same no-follow way.</param>
    /// <param name="compile">False to lay the files out without running the compile step (it is folded into the first run).</param>
    public static Outcome Run(BoxRun boxes, JudgeOptions options, LanguageDefinition language, string source, string label,
        IReadOnlyDictionary<string, string>? files = null, bool compile = true)
    {
        using var dir = boxes.NewDirectory(label);
        dir.WriteFile(language.SourceFile, Encoding.UTF8.GetBytes(source));
        foreach (var (path, text) in files ?? new Dictionary<string, string>())
            dir.WriteFile(path, Encoding.UTF8.GetBytes(text));
        var report = new CompileReport { Status = CompileStatus.Skipped };
        if (compile && language.Compile is { } argv)
        {
            var limits = options.CompileLimits;
            if (language.CompileLimits is { } adjust) limits = adjust.Apply(limits);
            var r = boxes.Run(dir, language, language.Expand(argv, options.CompileLimits.MemoryBytes), limits);
            report = new CompileReport
            {
                Status = r.Status switch
                {
                    SandboxStatus.Ok => CompileStatus.Succeeded,
                    SandboxStatus.InternalError => CompileStatus.InternalError,
                    _ => CompileStatus.Failed,
                },
                Output = Cap(JoinOutput(r), options.CompileOutputBytes),
                CpuTime = r.CpuTime,
                WallTime = r.WallTime,
                MemoryPeak = r.MemoryPeak,
                ExitCode = r.ExitCode,
                Message = CompileMessage(r, limits),
            };
            if (report.Status != CompileStatus.Succeeded) return new Outcome(report, null);
        }
        var artifacts = dir.Snapshot(options.MaxArtifactBytes, maxFiles: 10_000);
        return new Outcome(report, artifacts);
    }

    /// <summary>The compile report of a first run that showed the interpreter refused the source.</summary>
    public static CompileReport FailedAtRun(SandboxResult r, JudgeOptions options) => new()
    {
        Status = CompileStatus.Failed,
        Output = Cap(JoinOutput(r), options.CompileOutputBytes),
        CpuTime = r.CpuTime,
        WallTime = r.WallTime,
        MemoryPeak = r.MemoryPeak,
        ExitCode = r.ExitCode,
        Message = $"the interpreter refused the source (exit code {r.ExitCode}) when the first test started",
    };

    private static string CompileMessage(SandboxResult r, SandboxLimits limits) => r.Status switch
    {
        SandboxStatus.Ok => "",
        SandboxStatus.RuntimeError => $"the compiler exited with code {r.ExitCode}",
        SandboxStatus.Signaled => $"the compiler was killed by signal {r.Signal} ({SignalNames.Of(r.Signal ?? 0)})",
        SandboxStatus.TimeLimit => $"compilation exceeded its CPU time limit of {limits.CpuTimeSeconds} s",
        SandboxStatus.WallTimeLimit => $"compilation exceeded its wall-clock limit of {limits.EffectiveWallTimeSeconds} s",
        SandboxStatus.MemoryLimit => $"compilation exceeded its memory limit of {ByteSize.Format(limits.MemoryBytes)}",
        SandboxStatus.OutputLimit => "the compiler's output exceeded its limit",
        _ => "sandbox: " + r.Message,
    };

    private static string JoinOutput(SandboxResult r) =>
        r.Stdout.Length == 0 ? r.Stderr : r.Stderr.Length == 0 ? r.Stdout : r.Stdout.TrimEnd('\n') + "\n" + r.Stderr;

    internal static string Cap(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        var bytes = Encoding.UTF8.GetBytes(text);
        return Encoding.UTF8.GetString(bytes, 0, maxBytes) + "\n[truncated]";
    }
}
