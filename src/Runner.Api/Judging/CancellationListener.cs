using Npgsql;
using Runner.Api.Storage;

namespace Runner.Api.Judging;

/// <summary>
/// The worker process's LISTEN connection for cancels: <see cref="PostgresSubmissionStore.CancelAsync"/>
/// notifies in the transaction that finishes the submission, and the worker judging it kills its
/// box at once. A notification lost while the connection is down is made up for by the judge
/// job's lease renewal, which finds the submission finished.
/// </summary>
public sealed class CancellationListener(NpgsqlDataSource dataSource, RunningJudgements running, ILogger<CancellationListener> logger)
    : NotificationListener(dataSource, logger)
{
    public const string Channel = "runner_submission_cancelled";

    protected override IReadOnlyList<string> Channels => [Channel];

    protected override void OnNotification(string channel, string payload)
    {
        if (Guid.TryParse(payload, out var id) && running.Cancel(id))
            Logger.LogInformation("Submission {Id} was cancelled; stopping its judge", id);
    }

    protected override void OnGap()
    {
    }
}
