using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Languages;
using Runner.Api.Storage;
using Runner.Api.StoredProblems;
using Runner.Judge;
using Runner.Judge.Checking;
using Runner.Judge.Json;
using Runner.Judge.Languages;
using Runner.Sandbox;
using Runner.Sandbox.Json;

namespace Runner.Api.Judging;

/// <summary>
/// The real judge: Runner.Judge's pipeline (compile once, a fresh box per test, checkers)
/// behind the service's seam, and its language catalog with versions detected in a box.
/// </summary>
public sealed class PipelineJudge(SandboxOptions sandbox, JudgeWorkRoot workRoot, ProblemCache problems, ILogger<PipelineJudge> logger)
    : ISubmissionJudge, IAvailableLanguages
{
    private readonly LanguageCatalog _catalog = LanguageCatalog.Load();
    private readonly Lock _gate = new();
    private IReadOnlyList<LanguageView>? _available;

    /// <summary>Sessions go to this process's own directory, which the next worker removes should this one be killed.</summary>
    private JudgeOptions JudgeOptions => new() { Sandbox = sandbox, Languages = _catalog, WorkRoot = workRoot.Path };

    /// <summary>Detected once (each probe is a box); a host fault during detection is retried on the next call.</summary>
    public IReadOnlyList<LanguageView> Available
    {
        get
        {
            lock (_gate)
            {
                if (_available is not null) return _available;
                var detected = _catalog.Detect(sandbox);
                var list = detected.Where(l => l.Available).Select(l => new LanguageView(l.Id, l.Name, l.Version ?? "")).ToList();
                foreach (var missing in detected.Where(l => !l.Available))
                    logger.LogInformation("Language {Id} is not available: {Problem}", missing.Id, missing.Problem);
                if (detected.All(l => l.Available || l.Problem?.StartsWith("runner:", StringComparison.Ordinal) != true))
                    _available = list;
                return list;
            }
        }
    }

    /// <summary>
    /// The judge blocks its thread for as long as the submission runs (waiting for boxes). On a
    /// thread of its own, not the pool's: with one judge worker per core the judges alone would
    /// hold the pool's minimum of threads, and every request and continuation would wait for the
    /// pool to add threads (about two a second).
    /// </summary>
    private static Task<T> OnOwnThread<T>(Func<T> work, CancellationToken ct) =>
        Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public async Task<SubmissionResult> JudgeAsync(SubmissionRecord submission, IProgress<JudgeProgress> progress, CancellationToken ct)
    {
        var input = submission.Input;
        if (input.Execution is { } execution)
            return await OnOwnThread(() => ExecutionJudge.Judge(input, execution, JudgeOptions, ct), ct);
        var request = new JudgeRequest
        {
            Language = input.Language,
            Source = input.Source,
            Tests = input.Tests.Select(t => TestCase.FromText(t.Name, t.Input, t.ExpectedOutput)).ToList(),
            Limits = input.Limits.ToSandboxLimits(),
            Checker = input.Checker.Type switch
            {
                CheckerKind.Float => CheckerSpec.Float(input.Checker.Epsilon ?? CheckerSpec.DefaultEpsilon),
                CheckerKind.Custom => CheckerSpec.Custom(input.Checker.Source!, input.Checker.Language!),
                var kind => new CheckerSpec { Kind = kind },
            },
            Interactor = input.Interactor is { } interactor ? new InteractorSpec(interactor.Source, interactor.Language) : null,
            StopOnFirstFailure = input.StopOnFirstFailure,
            Groups = input.Groups,
            Files = input.Files,
        };
        // A problem's version brings the tests, limits, checker and groups, from this worker's cache.
        ProblemLease? problem = null;
        if (input.Problem is { } named)
        {
            try
            {
                problem = await problems.AcquireAsync(named, ct);
                request = problem.Apply(request);
            }
            catch (Exception e) when (e is ProblemUnavailableException or IOException)
            {
                problem?.Dispose();
                return new SubmissionResult(Verdict.InternalError, 0, null, [], $"problem '{named.Id}': {e.Message}");
            }
        }
        using var held = problem;
        try
        {
            var report = await OnOwnThread(() => Runner.Judge.JudgePipeline.Run(request, JudgeOptions, progress, ct), ct);
            return ToResult(report);
        }
        catch (JudgeRequestException e)
        {
            // The API validates first, so this means the two disagree: not the contestant's fault.
            return new SubmissionResult(Verdict.InternalError, 0, null, [], $"judge refused the request: {e.Field}: {e.Message}");
        }
        catch (IOException e)
        {
            // The work root cannot be used (see JudgeWorkRoot): a host fault, reported as a result.
            return new SubmissionResult(Verdict.InternalError, 0, null, [], $"judge: {e.Message}");
        }
    }

    /// <summary>The judge's report as the API serves it; the judge has decided everything already.</summary>
    private static SubmissionResult ToResult(JudgeReport report) => new(
        report.Verdict,
        JsonRounding.Round(report.Score.Points),
        report.Compile.Status == CompileStatus.Skipped ? null : CompileView.From(report.Compile),
        report.Tests.Select(TestJson.From).ToList(),
        report.Message.Length == 0 ? null : report.Message,
        report.Groups?.Select(GroupJson.From).ToList());
}
