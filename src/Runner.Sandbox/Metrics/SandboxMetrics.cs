using System.Diagnostics.Metrics;
using Runner.Sandbox.Json;
using Runner.Sandbox.Launch;

namespace Runner.Sandbox.Metrics;

/// <summary>
/// The engine's instruments, meter <see cref="MeterName"/>. A static meter, because the engine
/// has no container: every box of the process is counted, whichever host or library user
/// launched it. With no listener (the CLI) each call costs a flag check.
/// </summary>
public static class SandboxMetrics
{
    public const string MeterName = "Runner.Sandbox";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Launches = Meter.CreateCounter<long>(
        "runner.box.launches", "{box}", "Boxes launched, by how their run ended (the result's status).");

    private static readonly Histogram<double> LaunchLatency = Meter.CreateHistogram(
        "runner.box.launch.duration", "s", "From a free slot to the program's start (cgroup, clone, namespaces, mounts, go).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5] });

    private static readonly UpDownCounter<long> Running = Meter.CreateUpDownCounter<long>(
        "runner.boxes.running", "{box}", "Boxes this process is running or waiting a slot for.");

    private static readonly Counter<long> OomKills = Meter.CreateCounter<long>(
        "runner.box.oom_kills", "{box}", "Boxes in which the kernel's OOM killer acted.");

    private static readonly Counter<long> TimeLimitKills = Meter.CreateCounter<long>(
        "runner.box.time_limit_kills", "{box}", "Boxes killed for a time limit: limit=cpu or wall.");

    private static readonly Counter<long> InternalErrors = Meter.CreateCounter<long>(
        "runner.box.internal_errors", "{box}", "Boxes that ended in internal_error, by the launch step that failed.");

    private static readonly Counter<long> TeardownFailures = Meter.CreateCounter<long>(
        "runner.box.teardown_failures", "{box}", "Boxes whose teardown after the result (init exit, cgroup removal) failed.");

    private static readonly Lock SlotsGate = new();
    private static SandboxOptions? _slotOptions;

    static SandboxMetrics()
    {
        Meter.CreateObservableGauge("runner.box.slots.free", () => Slots(free: true), "{slot}",
            "Box slots of this host (every process sharing the state directory) that no box holds.");
        Meter.CreateObservableGauge("runner.box.slots", () => Slots(free: false), "{slot}",
            "Box slots of this host (RUNNER_SLOTS).");
    }

    /// <summary>Reports the host's slots for these options (the worker's); until called, the slot gauges report nothing.</summary>
    public static void WatchSlots(SandboxOptions options)
    {
        lock (SlotsGate) _slotOptions = options;
    }

    /// <summary>Starts counting one <see cref="Box.Run"/>; dispose it when the run returns.</summary>
    internal static Launch Started()
    {
        Running.Add(1);
        return new Launch();
    }

    /// <summary>Counts both boxes of a connected pair (<see cref="Box.RunConnected"/>).</summary>
    internal static ConnectedResult Connected(Func<ConnectedResult> run)
    {
        using var first = Started();
        using var second = Started();
        var result = run();
        first.Ended(result.First);
        second.Ended(result.Second);
        return result;
    }

    internal static void TeardownFailed() => TeardownFailures.Add(1);

    /// <summary>The launcher's half: from the slot being taken to the go byte.</summary>
    internal static void ProgramStarted(TimeSpan sinceSlot) => LaunchLatency.Record(sinceSlot.TotalSeconds);

    internal readonly struct Launch : IDisposable
    {
        public SandboxResult Ended(SandboxResult result)
        {
            Launches.Add(1, new KeyValuePair<string, object?>("status", result.Status.Name()));
            if (result.OomKilled) OomKills.Add(1);
            if (result.Status is SandboxStatus.TimeLimit or SandboxStatus.WallTimeLimit)
                TimeLimitKills.Add(1, new KeyValuePair<string, object?>("limit", result.Status == SandboxStatus.TimeLimit ? "cpu" : "wall"));
            if (result.Status == SandboxStatus.InternalError)
                InternalErrors.Add(1, new KeyValuePair<string, object?>("step", result.FailedStep is { } step ? Launcher.StepName(step) : "unknown"));
            return result;
        }

        public void Dispose() => Running.Add(-1);
    }

    private static IEnumerable<Measurement<int>> Slots(bool free)
    {
        SandboxOptions? options;
        lock (SlotsGate) options = _slotOptions;
        if (options is null) return [];
        if (!free) return [new Measurement<int>(options.SlotCount)];
        try
        {
            return [new Measurement<int>(options.SlotCount - SlotOccupancy.Held(StateDirectory.Resolve(options), options.SlotCount))];
        }
        catch (IOException)
        {
            // /proc/locks unreadable: report nothing rather than a made-up number.
            return [];
        }
    }
}
