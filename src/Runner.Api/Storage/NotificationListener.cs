using Npgsql;

namespace Runner.Api.Storage;

/// <summary>
/// One LISTEN connection for a process, on the given channels, reconnecting with back-off.
/// While the connection is down notifications are lost, so <see cref="OnGap"/> runs once when
/// it breaks and once when it is back: whoever waits on a notification checks the store itself.
/// </summary>
public abstract class NotificationListener(NpgsqlDataSource dataSource, ILogger logger) : BackgroundService
{
    protected ILogger Logger { get; } = logger;

    protected abstract IReadOnlyList<string> Channels { get; }

    /// <summary>Runs on Npgsql's reading thread: keep it short.</summary>
    protected abstract void OnNotification(string channel, string payload);

    protected abstract void OnGap();

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(stop);
                conn.Notification += (_, e) => OnNotification(e.Channel, e.Payload);
                foreach (var channel in Channels)
                {
                    await using var listen = new NpgsqlCommand($"LISTEN {channel}", conn);
                    await listen.ExecuteNonQueryAsync(stop);
                }
                OnGap();
                delay = TimeSpan.FromSeconds(1);
                while (true) await conn.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                OnGap();
                Logger.LogWarning("Listening on {Channels} failed ({Error}); reconnecting in {Delay} s", string.Join(", ", Channels), e.Message, delay.TotalSeconds);
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
