using System.Diagnostics.Metrics;
using Runner.Judge;
using Runner.Judge.Json;

namespace Runner.Api.Metrics;

/// <summary>
/// The service's instruments, meter <see cref="MeterName"/>, in one place. The engine's box
/// instruments are in Runner.Sandbox (<see cref="Runner.Sandbox.Metrics.SandboxMetrics"/>); what
/// is read from the database is in <see cref="ClusterGauges"/>. README.md#metrics lists them
/// under their Prometheus names.
/// </summary>
public sealed class RunnerMetrics
{
    public const string MeterName = "Runner.Api";

    private readonly Counter<long> _received;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _judgeDuration;

    public RunnerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _received = meter.CreateCounter<long>("runner.submissions.received", "{submission}",
            "Submissions accepted and stored by this API host, by language.");
        _finished = meter.CreateCounter<long>("runner.submissions.finished", "{submission}",
            "Submissions whose result this worker stored, by verdict and language.");
        _rejected = meter.CreateCounter<long>("runner.submissions.rejected", "{request}",
            "Submission requests refused by this API host, by reason.");
        _queueWait = meter.CreateHistogram("runner.queue.wait", "s",
            "From a submission's creation to a worker starting it (first attempts only).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] });
        _judgeDuration = meter.CreateHistogram("runner.judge.duration", "s",
            "Judging one submission on this worker (compile and every test), by language.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
    }

    public void Received(string language) => _received.Add(1, Tag("language", language));

    public void Finished(Verdict verdict, string language) =>
        _finished.Add(1, Tag("verdict", verdict.Name()), Tag("language", language));

    public void Rejected(string reason) => _rejected.Add(1, Tag("reason", reason));

    public void QueueWait(TimeSpan wait) => _queueWait.Record(Math.Max(0, wait.TotalSeconds));

    public void JudgeDuration(string language, TimeSpan duration) =>
        _judgeDuration.Record(duration.TotalSeconds, Tag("language", language));

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
