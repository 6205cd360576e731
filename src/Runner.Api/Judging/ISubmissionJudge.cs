using Runner.Api.Contracts;
using Runner.Api.Storage;

namespace Runner.Api.Judging;

/// <summary>
/// The seam between the service and the judge pipeline: judge one stored submission,
/// reporting progress, and return the result the API serves. Faults inside the judge come
/// back as an internal_error result; an exception means the worker itself failed and the job
/// will be retried.
/// </summary>
public interface ISubmissionJudge
{
    Task<SubmissionResult> JudgeAsync(SubmissionRecord submission, IProgress<ProgressView> progress, CancellationToken ct);
}
