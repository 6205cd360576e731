using Hangfire;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Api.Judging;

namespace Runner.Api.Storage;

/// <summary>
/// Deletes finished submissions older than Runner:Retention:FinishedDays (each row holds up to
/// MaxTestsBytes of input). A recurring job, so one worker runs it however many there are.
/// </summary>
public sealed class RetentionSweep(ISubmissionStore store, Runs.IRunStore runs, IOptions<RunnerOptions> options, ILogger<RetentionSweep> logger)
{
    public const string JobId = "runner-retention-sweep";

    [Queue(JudgeSubmissionJob.Queue)]
    [DisableConcurrentExecution(600)]
    public async Task RunAsync(CancellationToken ct)
    {
        var days = options.Value.Retention.FinishedDays;
        if (days <= 0) return;
        var deleted = await store.DeleteFinishedBeforeAsync(TimeSpan.FromDays(days), ct);
        if (deleted > 0) logger.LogInformation("Retention: deleted {Count} submissions finished more than {Days} days ago", deleted, days);
        var runsDeleted = await runs.DeleteFinishedBeforeAsync(TimeSpan.FromDays(days), ct);
        if (runsDeleted > 0) logger.LogInformation("Retention: deleted {Count} runs finished more than {Days} days ago", runsDeleted, days);
    }
}
