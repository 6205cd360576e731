using Npgsql;
using Runner.Api.Queue;

namespace Runner.Api.Storage;

/// <summary>
/// The API process's LISTEN connection: the NOTIFY that
/// <see cref="PostgresSubmissionStore.CompleteAsync"/> sends in the storing transaction wakes
/// ?wait=true requests and event streams, and the one sent with each batch of stored events
/// wakes event streams; a stored run's wakes POST /runs?wait=true; all for results and events stored by workers in other processes, without
/// polling.
/// </summary>
public sealed class FinishedSubmissionListener(
    NpgsqlDataSource dataSource,
    CompletionSignals completions,
    EventSignals events,
    RunCompletionSignals runs,
    ILogger<FinishedSubmissionListener> logger) : NotificationListener(dataSource, logger)
{
    public const string Channel = "runner_submission_finished";
    public const string EventChannel = "runner_submission_event";
    public const string RunChannel = "runner_run_finished";

    protected override IReadOnlyList<string> Channels => [Channel, EventChannel, RunChannel];

    protected override void OnNotification(string channel, string payload)
    {
        if (!Guid.TryParse(payload, out var id)) return;
        if (channel == RunChannel)
        {
            runs.Notify(id);
            return;
        }
        if (channel == Channel) completions.NotifyFinishedElsewhere(id);
        events.Notify(id);
    }

    protected override void OnGap()
    {
        completions.WakeAll();
        events.WakeAll();
        runs.WakeAll();
    }
}
