using System.Globalization;
using Runner.Judge;
using Runner.Judge.Checking;
using Runner.Judge.Json;
using Runner.Judge.Languages;
using Runner.Sandbox;

namespace Runner.Cli;

/// <summary><c>runner judge --language ID --source FILE --tests DIR [options]</c></summary>
internal static class JudgeCommand
{
    public static int Execute(IReadOnlyList<string> args, CliContext context)
    {
        var a = JudgeOptionsParser.ParseJudge(args, context.CurrentDirectory);
        if (a.Help)
        {
            HelpText.Write(context.Out);
            return ExitCodes.Ok;
        }

        var catalog = LoadCatalog(a.LanguagesPath, context);
        if (catalog.Find(a.Language) is null)
            throw new CliUsageException("--language", $"unknown language '{a.Language}'; {Choices(catalog, a.RootfsPath, context)}");
        string source;
        try
        {
            source = File.ReadAllText(a.SourcePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException("--source", e.Message);
        }
        var checker = CheckerSpec.TryParseBuiltIn(a.Checker) ?? CustomChecker(a.Checker);
        var interactor = a.Interactor is { } interactorPath
            ? new InteractorSpec(ReadSource("--interactor", interactorPath), CheckerLanguage(interactorPath)!)
            : null;

        JudgeReport report;
        try
        {
            var request = new JudgeRequest
            {
                Language = a.Language,
                Source = source,
                Tests = TestDirectory.Load(a.TestsPath),
                Limits = a.Limits,
                Checker = checker,
                Interactor = interactor,
                StopOnFirstFailure = a.StopOnFailure,
            };
            var options = new JudgeOptions
            {
                Sandbox = EnvironmentOptions.Read(context.GetEnvironmentVariable),
                // Boxes prepared ahead: the next test's (and its checker's) while a test runs.
                WarmBoxes = checker.Kind == CheckerKind.Custom ? 2 : 1,
                RootfsPath = a.RootfsPath,
                Languages = catalog,
            };
            var progress = context.ErrorIsTerminal ? new TerminalProgress(context.Error) : null;
            try
            {
                report = context.RunJudge(request, options, progress, context.Cancellation);
            }
            finally
            {
                progress?.Clear();
            }
        }
        catch (JudgeRequestException e)
        {
            throw new CliUsageException(OptionFor(e.Field), e.Message);
        }
        catch (OperationCanceledException)
        {
            report = Failure("interrupted before judging finished");
        }

        if (a.Json) JudgeJson.Write(context.Out, report);
        else WriteTable(report, context.Out);
        return report.Verdict switch
        {
            Verdict.Accepted => ExitCodes.Ok,
            Verdict.InternalError => ExitCodes.UsageOrInternal,
            _ => ExitCodes.ProgramFailed,
        };
    }

    internal static LanguageCatalog LoadCatalog(string? path, CliContext context)
    {
        try
        {
            return LanguageCatalog.Load(path ?? (context.GetEnvironmentVariable(LanguageCatalog.OverrideVariable) is { Length: > 0 } env ? env : null));
        }
        catch (LanguageFileException e)
        {
            throw new CliUsageException(path is null ? LanguageCatalog.OverrideVariable : "--languages", e.Message);
        }
    }

    /// <summary>A checker file's language follows its extension; C++ is the testlib norm. Null: not a checker source.</summary>
    internal static string? CheckerLanguage(string path) => Path.GetExtension(path) switch
    {
        ".c" => "c",
        ".py" => "python",
        ".cpp" or ".cc" or ".cxx" => "cpp",
        _ => null,
    };

    private static CheckerSpec CustomChecker(string path) => CheckerSpec.Custom(ReadSource("--checker", path), CheckerLanguage(path)!);

    private static string ReadSource(string option, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException(option, e.Message);
        }
    }

    /// <summary>
    /// What the user could have typed: the languages whose toolchain runs in a box here (one
    /// small box each, only on this error path), or every configured id if the boxes cannot run.
    /// </summary>
    private static string Choices(LanguageCatalog catalog, string? rootfs, CliContext context)
    {
        try
        {
            var available = catalog.Detect(EnvironmentOptions.Read(context.GetEnvironmentVariable), rootfs, context.Cancellation)
                .Where(l => l.Available).Select(l => l.Id).Order(StringComparer.Ordinal).ToList();
            if (available.Count > 0) return "available here: " + string.Join(", ", available);
        }
        catch (Exception e) when (e is not CliUsageException and not OperationCanceledException)
        {
        }
        return "configured: " + string.Join(", ", catalog.Languages.Select(l => l.Id).Order(StringComparer.Ordinal)) + " (see 'runner languages')";
    }

    private static string OptionFor(string field) => field switch
    {
        "language" or "tests" or "checker" or "interactor" => "--" + field,
        "source" => "--source",
        _ => RunCommand.OptionForField(field),
    };

    private static JudgeReport Failure(string message) => new()
    {
        Verdict = Verdict.InternalError,
        Score = new JudgeScore(0, 0, 0),
        Compile = new CompileReport { Status = CompileStatus.Skipped },
        Tests = [],
        Message = message,
    };

    private static void WriteTable(JudgeReport r, Stream output)
    {
        var c = CultureInfo.InvariantCulture;
        using var w = new StreamWriter(output, CliMain.Utf8, leaveOpen: true) { NewLine = "\n" };
        w.WriteLine(string.Format(c, "verdict: {0}   score: {1}/{2} (points {3:0.###})",
            r.Verdict.Name(), r.Score.Passed, r.Score.Total, r.Score.Points));
        var compile = r.Compile.Status.Name();
        w.WriteLine(r.Compile.Status == CompileStatus.Skipped
            ? "compile: skipped"
            : string.Format(c, "compile: {0} (cpu {1:0.000}s, wall {2:0.000}s){3}", compile, r.Compile.CpuTime, r.Compile.WallTime,
                r.Compile.Message.Length > 0 ? " " + r.Compile.Message : ""));
        if (r.Compile.Status != CompileStatus.Succeeded && r.Compile.Output.Length > 0)
            w.WriteLine(r.Compile.Output.TrimEnd());
        if (r.Message.Length > 0 && r.Tests.Count == 0) w.WriteLine("message: " + CliMain.OneLine(r.Message));
        if (r.Tests.Count == 0) return;

        var nameWidth = Math.Max(4, r.Tests.Max(t => t.Name.Length));
        w.WriteLine($"{"TEST".PadRight(nameWidth)}  {"VERDICT",-21}  {"CPU",7}  {"WALL",7}  {"MEMORY",9}  {"EXIT",6}  MESSAGE");
        foreach (var t in r.Tests)
        {
            var exit = t.Signal is { } s ? "sig" + s.ToString(c) : t.ExitCode?.ToString(c) ?? "-";
            w.WriteLine(string.Format(c, "{0}  {1,-21}  {2,6:0.000}s  {3,6:0.000}s  {4,9}  {5,6}  {6}",
                t.Name.PadRight(nameWidth), t.Verdict.Name(), t.CpuTime, t.WallTime,
                t.MemoryPeak is { } m ? ByteSize.Format(m) : "-", exit, CliMain.OneLine(t.Message)));
        }
    }
}
