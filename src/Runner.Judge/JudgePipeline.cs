using System.Text;
using Runner.Judge.Checking;
using Runner.Judge.Groups;
using Runner.Judge.Languages;
using Runner.Judge.Pipeline;
using Runner.Sandbox;
using Runner.Sandbox.Cgroups;
using Runner.Sandbox.HostFiles;

namespace Runner.Judge;

/// <summary>
/// The judge's entry point: compile once in a box, run every test in a fresh box with the
/// compile's artifacts copied in, check each output, and report. Faults of the judge, the
/// sandbox or a custom checker come back as <see cref="Verdict.InternalError"/>, never as a
/// verdict against the submission; only an invalid request throws.
/// </summary>
public static class JudgePipeline
{
    private static readonly Lazy<LanguageCatalog> DefaultCatalog = new(() => LanguageCatalog.Load());

    /// <exception cref="JudgeRequestException">The request is invalid (unknown language, bad limits, duplicate test names).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the running box is killed and cleaned up first.</exception>
    public static JudgeReport Run(JudgeRequest request, JudgeOptions? options = null,
        IProgress<JudgeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new JudgeOptions();
        request.Validate();
        var catalog = options.Languages ?? DefaultCatalog.Value;
        var language = catalog.Find(request.Language)
            ?? throw new JudgeRequestException("language", $"unknown language '{request.Language}'");
        if (request.Files?.Keys.FirstOrDefault(p => p == language.SourceFile) is { } main)
            throw new JudgeRequestException($"files.{main}", $"is the main source file of '{language.Id}'; give it as the source");
        LanguageDefinition? checkerLanguage = null;
        if (request.Checker.Kind == CheckerKind.Custom)
            checkerLanguage = catalog.Find(request.Checker.CustomLanguage)
                ?? throw new JudgeRequestException("checker", $"unknown checker language '{request.Checker.CustomLanguage}'");
        LanguageDefinition? interactorLanguage = null;
        if (request.Interactor is { } interactorSpec)
            interactorLanguage = catalog.Find(interactorSpec.Language)
                ?? throw new JudgeRequestException("interactor", $"unknown interactor language '{interactorSpec.Language}'");

        // Started first: its launcher and first box are made while the session's files are laid out.
        using var pool = StartWarmPool(options);
        BoxDirectory session;
        try
        {
            session = NewSession(options.WorkRoot);
        }
        catch (IOException e)
        {
            return Failed(request, new CompileReport { Status = CompileStatus.Skipped }, $"judge: cannot create a work directory: {e.Message}");
        }
        using (session)
        {
            try
            {
                return new Submission(request, options, language, checkerLanguage, interactorLanguage,
                    new BoxRun(options, session.FullPath, pool, cancellationToken), progress).Judge();
            }
            catch (IOException e)
            {
                return Failed(request, new CompileReport { Status = CompileStatus.Skipped }, $"judge: {e.Message}");
            }
        }
    }

    /// <summary>
    /// The run's own warm pool (<see cref="JudgeOptions.WarmBoxes"/>), or null: none asked for,
    /// boxes cloned in-process, a rootless engine, or no pool can start here (no cgroup, no state
    /// directory). Every box is then made cold, and a host that cannot run boxes says why in the
    /// first box's result.
    /// </summary>
    private static WarmPool? StartWarmPool(JudgeOptions options)
    {
        // Rootless, a warm box cannot take a work dir (only root clones a host directory as a
        // mount), and every judge box has one: each would run cold and the pool's boxes be waste.
        if (options.WarmBoxes < 1 || options.Sandbox.Launcher != BoxLauncher.Process || !Environment.IsPrivilegedProcess)
            return null;
        try
        {
            return new WarmPool(options.Sandbox, options.WarmBoxes);
        }
        catch (Exception e) when (e is CgroupUnavailableException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static BoxDirectory NewSession(string workRoot) =>
        BoxDirectory.Create(WorkRoot.Prepare(workRoot), "judge-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// A checker the compiler refused is the request's fault, said in one line: the compiler's
    /// first error. testlib.h gets a hint, since checkers written for testlib include it and Runner
    /// does not ship it (no Debian or npm package provides it).
    /// </summary>
    internal static string CheckerCompileError(string output, string message)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var first = lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? lines.FirstOrDefault() ?? message;
        var hint = output.Contains("testlib.h", StringComparison.Ordinal)
            ? " (Runner does not ship testlib.h: make the checker self-contained, or install testlib.h on the include path of the boxes' rootfs)"
            : "";
        return $"does not compile: {first}{hint}";
    }

    internal static JudgeReport Failed(JudgeRequest request, CompileReport compile, string message) => new()
    {
        Verdict = Verdict.InternalError,
        Score = new JudgeScore(0, request.Tests.Count, 0),
        Compile = compile,
        Tests = [],
        Message = message,
    };

    /// <summary>What one test is worth: an accepted test scores it, a partial one a share of it.</summary>
    private const double Weight = 1;

    /// <summary>One submission's way through the pipeline.</summary>
    private sealed class Submission(JudgeRequest request, JudgeOptions options, LanguageDefinition language,
        LanguageDefinition? checkerLanguage, LanguageDefinition? interactorLanguage, BoxRun boxes, IProgress<JudgeProgress>? progress)
    {
        private readonly int _count = request.Tests.Count;

        /// <summary>Every test's limits and command line, worked out from the language once.</summary>
        private readonly SandboxLimits _runLimits = language.RunLimits is { } adjust ? adjust.Apply(request.Limits) : request.Limits;

        private readonly IReadOnlyList<string> _runArgv = language.Expand(language.Run, request.Limits.MemoryBytes);

        /// <summary>True once a run showed the source compiles (languages that fold their compile step into the first run).</summary>
        private bool _compiledAtRun;

        /// <summary>An interactive problem's compiled interactor; it then decides each test instead of a checker.</summary>
        private Interactor? _interactor;

        public JudgeReport Judge()
        {
            CustomChecker? checker = null;
            if (checkerLanguage is not null)
            {
                var built = Compilation.Run(boxes, options, checkerLanguage, request.Checker.CustomSource!, "checker-compile");
                if (built.Report.Status == CompileStatus.Failed)
                    throw new JudgeRequestException("checker", CheckerCompileError(built.Report.Output, built.Report.Message));
                if (built.Artifacts is null)
                    return Failed(request, new CompileReport { Status = CompileStatus.Skipped },
                        $"checker: {built.Report.Message}\n{built.Report.Output}".TrimEnd());
                checker = new CustomChecker(checkerLanguage, built.Artifacts, options);
            }
            if (interactorLanguage is not null)
            {
                var built = Compilation.Run(boxes, options, interactorLanguage, request.Interactor!.Source, "interactor-compile");
                if (built.Report.Status == CompileStatus.Failed)
                    throw new JudgeRequestException("interactor", CheckerCompileError(built.Report.Output, built.Report.Message));
                if (built.Artifacts is null)
                    return Failed(request, new CompileReport { Status = CompileStatus.Skipped },
                        $"interactor: {built.Report.Message}\n{built.Report.Output}".TrimEnd());
                _interactor = new Interactor(interactorLanguage, built.Artifacts, options);
            }

            progress?.Report(new JudgeProgress(JudgeStage.Compiling, 0, _count));
            var compiled = Compilation.Run(boxes, options, language, request.Source, "compile", request.Files,
                compile: language.CompileErrorsAtRun is null);
            progress?.Report(new JudgeProgress(JudgeStage.Compiled, 0, _count, Compile: compiled.Report));
            if (compiled.Artifacts is null) return CompileFailed(compiled.Report);

            // Each test takes one box of the pool, two with a checker program; an interactive
            // test's pair of boxes is made cold.
            boxes.ExpectRuns(_interactor is not null ? 0 : _count * (checker is null ? 1 : 2));
            var tests = new List<TestReport>();
            List<GroupReport>? groups;
            try
            {
                groups = request.Groups is null ? null : RunGroups(tests, compiled.Artifacts, checker);
                if (groups is null)
                    foreach (var test in request.Tests)
                        if (!RunNext(test, tests, compiled.Artifacts, checker)) break;
            }
            catch (CompileFailedAtRun e)
            {
                return CompileFailed(e.Report);
            }
            var failed = tests.FirstOrDefault(t => t.Verdict == Verdict.InternalError)
                ?? tests.FirstOrDefault(t => t.Verdict != Verdict.Accepted);
            return Finish(new JudgeReport
            {
                Verdict = failed?.Verdict ?? Verdict.Accepted,
                Score = new JudgeScore(tests.Count(t => t.Verdict == Verdict.Accepted), _count,
                    groups?.Sum(g => g.Score) ?? tests.Sum(t => t.Score)),
                Compile = compiled.Report,
                Tests = tests,
                Message = failed is null ? "" : $"test {failed.Name}: {failed.Message}",
                Groups = groups,
            });
        }

        /// <summary>Runs one test and reports it; false when the judge should stop here (stop on first failure).</summary>
        private bool RunNext(TestCase test, List<TestReport> tests, IReadOnlyList<BoxFile> artifacts, CustomChecker? checker)
        {
            var index = tests.Count;
            progress?.Report(new JudgeProgress(JudgeStage.TestStarted, index, _count, test.Name));
            var report = RunTest(test, artifacts, checker);
            tests.Add(report);
            progress?.Report(new JudgeProgress(JudgeStage.TestFinished, index, _count, test.Name, Test: report));
            return !(request.StopOnFirstFailure && report.Verdict != Verdict.Accepted);
        }

        /// <summary>
        /// Group by group, in order: a group whose dependencies did not all pass is skipped, and a
        /// min group stops at its first test that scores 0 (no later test can change its score).
        /// </summary>
        private List<GroupReport> RunGroups(List<TestReport> tests, IReadOnlyList<BoxFile> artifacts, CustomChecker? checker)
        {
            var byName = request.Tests.ToDictionary(t => t.Name, StringComparer.Ordinal);
            var reports = new List<GroupReport>();
            var stopped = false;
            foreach (var group in request.Groups!)
            {
                if (stopped)
                {
                    reports.Add(GroupScore.Skipped(group, "not run: the judge stopped at an earlier failure (stop on first failure)"));
                    continue;
                }
                var unmet = (group.DependsOn ?? []).FirstOrDefault(d => reports.First(r => r.Name == d).Status != GroupStatus.Passed);
                if (unmet is not null)
                {
                    reports.Add(GroupScore.Skipped(group, $"not run: it depends on group '{unmet}', which did not pass"));
                    continue;
                }
                var ran = new List<TestReport>();
                foreach (var name in group.Tests)
                {
                    stopped = !RunNext(byName[name], tests, artifacts, checker);
                    ran.Add(tests[^1]);
                    if (stopped || (group.Scoring == GroupScoring.Min && tests[^1].Score <= 0)) break;
                }
                reports.Add(GroupScore.Of(group, ran));
            }
            return reports;
        }

        private JudgeReport CompileFailed(CompileReport compile) => Finish(new JudgeReport
        {
            Verdict = compile.Status == CompileStatus.InternalError ? Verdict.InternalError : Verdict.CompilationError,
            Score = new JudgeScore(0, _count, 0),
            Compile = compile,
            Tests = [],
            Message = compile.Message,
            Groups = request.Groups?.Select(g => GroupScore.Skipped(g, "not run: the submission did not compile")).ToList(),
        });

        private JudgeReport Finish(JudgeReport report)
        {
            progress?.Report(new JudgeProgress(JudgeStage.Finished, _count, _count));
            return report;
        }

        private TestReport RunTest(TestCase test, IReadOnlyList<BoxFile> artifacts, CustomChecker? checker)
        {
            var interactor = _interactor;
            byte[]? answer;
            byte[] input;
            try
            {
                answer = test.Answer?.Read();
                input = checker is not null || interactor is not null || test.Input.Path is null ? test.Input.Read() : [];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new TestReport { Name = test.Name, Verdict = Verdict.InternalError, Message = $"judge: test data: {e.Message}" };
            }

            var limits = _runLimits;
            var argv = _runArgv;
            if (interactor is not null)
            {
                var (program, decided) = interactor.Run(boxes, language, artifacts, argv, limits, request.Limits.MemoryBytes, input, answer);
                CheckCompiledAtRun(program);
                return Measured(test, program) with
                {
                    Verdict = decided.Verdict,
                    Message = decided.Message,
                    Score = Math.Clamp(decided.Score, 0, Weight),
                };
            }
            SandboxResult r;
            using (var dir = boxes.NewDirectory("test"))
            {
                dir.Restore(artifacts);
                var stdin = test.Input.Path;
                if (stdin is null)
                {
                    // In-memory input goes to a judge-only file beside the box directory, never inside it.
                    stdin = dir.FullPath + ".in";
                    File.WriteAllBytes(stdin, input);
                }
                try
                {
                    r = boxes.Run(dir, language, argv, limits, stdin);
                }
                finally
                {
                    if (test.Input.Path is null) File.Delete(stdin);
                }
            }
            CheckCompiledAtRun(r);

            var report = Measured(test, r);
            if (RunVerdict.Of(r, limits, request.Limits.MemoryBytes, language) is { } failure)
                return report with { Verdict = failure.Verdict, Message = failure.Message };
            if (answer is null) return report with { Score = Weight };

            var outcome = checker is not null
                ? checker.Check(boxes, input, r.StdoutBytes, answer)
                : BuiltInCheckers.Check(request.Checker, r.StdoutBytes, answer);
            // A checker's points are a share of the test's weight, never more and never negative.
            return report with { Verdict = outcome.Verdict, Message = outcome.Message, Score = Math.Clamp(outcome.Score, 0, Weight) };
        }

        /// <summary>For a language that folds its compile step into the first run: throws when that run shows the source did not compile.</summary>
        private void CheckCompiledAtRun(SandboxResult r)
        {
            if (language.CompileErrorsAtRun is not { } atRun || _compiledAtRun) return;
            if (atRun.Matches(r)) throw new CompileFailedAtRun(Compilation.FailedAtRun(r, options));
            // A sandbox fault proves nothing about the source; the next run is read again.
            _compiledAtRun = r.Status != SandboxStatus.InternalError;
        }

        private TestReport Measured(TestCase test, SandboxResult r) => new()
        {
            Name = test.Name,
            Verdict = Verdict.Accepted,
            CpuTime = r.CpuTime,
            WallTime = r.WallTime,
            MemoryPeak = r.MemoryPeak,
            ExitCode = r.ExitCode,
            Signal = r.Signal,
            OutputExcerpt = Excerpt(r.StdoutBytes),
        };

        private string Excerpt(byte[] stdout)
        {
            var text = Encoding.UTF8.GetString(stdout, 0, Math.Min(stdout.Length, options.ExcerptBytes));
            return stdout.Length > options.ExcerptBytes ? text + "..." : text;
        }
    }
}
