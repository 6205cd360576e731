using Runner.Api.Contracts;
using Runner.Api.Judging;
using Runner.Api.Storage;
using Runner.Judge;

namespace Runner.Api.Metrics;

/// <summary>Times the judge and the wait before it, around whichever judge the host uses.</summary>
public sealed class MeteredJudge(ISubmissionJudge inner, RunnerMetrics metrics, TimeProvider clock) : ISubmissionJudge
{
    public async Task<SubmissionResult> JudgeAsync(SubmissionRecord submission, IProgress<JudgeProgress> progress, CancellationToken ct)
    {
        // A repeated attempt's wait would count a dead worker's time as queueing.
        if (submission.Attempts <= 1 && submission.StartedAt is { } started)
            metrics.QueueWait(started - submission.CreatedAt);
        var begin = clock.GetTimestamp();
        var result = await inner.JudgeAsync(submission, progress, ct);
        metrics.JudgeDuration(submission.Input.Language, clock.GetElapsedTime(begin));
        return result;
    }
}
