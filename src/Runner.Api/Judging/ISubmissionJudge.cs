using Runner.Api.Contracts;
using Runner.Api.Storage;
using Runner.Judge;

namespace Runner.Api.Judging;

/// <summary>
/// The seam between the service and the judge pipeline: judge one stored submission,
/// reporting the judge's progress as it goes (stages and each finished test), and return the result the API serves. Faults inside the judge come
/// back as an internal_error result; an exception means the worker itself failed and the job
/// will be retried.
/// </summary>
public interface ISubmissionJudge
{
    Task<SubmissionResult> JudgeAsync(SubmissionRecord submission, IProgress<JudgeProgress> progress, CancellationToken ct);
}
