using Npgsql;
using Runner.Api.Queue;

namespace Runner.Api.Storage;

/// <summary>
/// One LISTEN connection per API process for the NOTIFY that
/// <see cref="PostgresSubmissionStore.CompleteAsync"/> sends in the storing transaction, so
/// ?wait=true requests learn of results stored by workers in other processes without polling.
/// While the connection is down, notifications are lost: every waiter is woken to check the
/// store itself, once when the connection breaks and once when it is back.
/// </summary>
public sealed class FinishedSubmissionListener(
    NpgsqlDataSource dataSource,
    CompletionSignals signals,
    ILogger<FinishedSubmissionListener> logger) : BackgroundService
{
    public const string Channel = "runner_submission_finished";

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(stop);
                conn.Notification += (_, e) =>
                {
                    if (Guid.TryParse(e.Payload, out var id)) signals.Notify(id);
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
                    await listen.ExecuteNonQueryAsync(stop);
                signals.WakeAll();
                delay = TimeSpan.FromSeconds(1);
                while (true) await conn.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                signals.WakeAll();
                logger.LogWarning("Listening for finished submissions failed ({Error}); reconnecting in {Delay} s", e.Message, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 15));
            }
        }
    }
}
