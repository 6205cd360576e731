using Runner.Api.Contracts;
using Runner.Api.Judging;
using Runner.Api.Storage;

namespace Runner.Api.Tests.Infrastructure;

/// <summary>
/// TEMPORARY stand-in for the judge pipeline while src/Runner.Judge is being built: accepted
/// when each test's input equals its expected output. Used only until the real adapter lands;
/// the finished tests judge with real boxes.
/// </summary>
public sealed class FakeJudgeForTests : ISubmissionJudge, ILanguageCatalog
{
    public IReadOnlyList<LanguageView> Available => [new("python", "Python (fake)", "0")];

    public async Task<SubmissionResult> JudgeAsync(SubmissionRecord submission, IProgress<ProgressView> progress, CancellationToken ct)
    {
        var tests = new List<TestView>();
        var input = submission.Input;
        for (var i = 0; i < input.Tests.Count; i++)
        {
            var t = input.Tests[i];
            progress.Report(new ProgressView("testing", t.Name, i + 1, input.Tests.Count));
            await Task.Delay(input.Source.Contains("slow") ? 1500 : 10, ct);
            var ok = t.ExpectedOutput is null || t.ExpectedOutput == t.Input;
            tests.Add(new TestView(t.Name, ok ? Verdict.Accepted : Verdict.WrongAnswer, 0, 0, null, 0, null, "", ""));
        }
        var passed = tests.Count(t => t.Verdict == Verdict.Accepted);
        return new SubmissionResult(passed == tests.Count ? Verdict.Accepted : Verdict.WrongAnswer, passed, null, tests, null);
    }
}
