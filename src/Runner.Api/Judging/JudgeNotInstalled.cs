using Runner.Api.Contracts;
using Runner.Api.Storage;

namespace Runner.Api.Judging;

/// <summary>
/// Stand-in until the judge pipeline (src/Runner.Judge) is wired in: lists no languages and
/// answers internal_error, so nothing pretends to have judged.
/// </summary>
public sealed class JudgeNotInstalled : ISubmissionJudge, ILanguageCatalog
{
    public IReadOnlyList<LanguageView> Available => [];

    public Task<SubmissionResult> JudgeAsync(SubmissionRecord submission, IProgress<ProgressView> progress, CancellationToken ct) =>
        Task.FromResult(new SubmissionResult(Verdict.InternalError, 0, null, [], "the judge pipeline is not installed in this build"));
}
