using System.Diagnostics.Metrics;

namespace Runner.Api.Metrics;

/// <summary>What the database says about the whole deployment, as of one read.</summary>
/// <param name="OldestQueuedAge">Seconds the oldest queued submission has waited; null when none is queued.</param>
/// <param name="Workers">Each live worker (an unexpired language record) and the seconds since its last heartbeat.</param>
public sealed record ClusterSnapshot(long Queued, long Running, double? OldestQueuedAge, IReadOnlyList<(string Worker, double HeartbeatAge)> Workers);

/// <summary>Reads a <see cref="ClusterSnapshot"/> from the store in use.</summary>
public interface IClusterState
{
    Task<ClusterSnapshot> ReadAsync(CancellationToken ct);
}

/// <summary>
/// Queue depth and live workers, as seen from the database: gauges that any API host can report
/// for the whole deployment. They are read when /metrics is scraped (<see cref="RefreshAsync"/>),
/// not on a timer, so an unscraped host costs the database nothing; a failed read reports nothing
/// rather than stale numbers.
/// </summary>
public sealed class ClusterGauges
{
    private readonly IClusterState _state;
    private readonly ILogger<ClusterGauges> _logger;
    private volatile ClusterSnapshot? _last;

    public ClusterGauges(IClusterState state, IMeterFactory meters, ILogger<ClusterGauges> logger)
    {
        _state = state;
        _logger = logger;
        var meter = meters.Create(RunnerMetrics.MeterName);
        meter.CreateObservableGauge("runner.queue.depth", Depth, "{submission}",
            "Unfinished submissions in the database, by status (queued, running).");
        meter.CreateObservableGauge("runner.queue.oldest.age", () => _last?.OldestQueuedAge is { } age ? [new Measurement<double>(age)] : Array.Empty<Measurement<double>>(), "s",
            "How long the oldest queued submission has waited.");
        meter.CreateObservableGauge("runner.workers.alive", () => _last is { } s ? [new Measurement<int>(s.Workers.Count)] : Array.Empty<Measurement<int>>(), "{worker}",
            "Workers whose heartbeat record in the database has not expired.");
        meter.CreateObservableGauge("runner.worker.heartbeat.age", Heartbeats, "s",
            "Seconds since each live worker's last heartbeat, by worker (host:pid:nonce).");
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            _last = await _state.ReadAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _last = null;
            _logger.LogWarning("Metrics: the database gauges could not be read ({Error}); they are left out of this scrape", e.Message);
        }
    }

    private IEnumerable<Measurement<long>> Depth() => _last is { } s
        ? [new(s.Queued, new KeyValuePair<string, object?>("status", "queued")), new(s.Running, new KeyValuePair<string, object?>("status", "running"))]
        : [];

    private IEnumerable<Measurement<double>> Heartbeats() => _last is { } s
        ? s.Workers.Select(w => new Measurement<double>(w.HeartbeatAge, new KeyValuePair<string, object?>("worker", w.Worker)))
        : [];
}
