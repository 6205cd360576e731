using Runner.Sandbox.Metrics;

namespace Runner.Sandbox.Launch;

/// <summary>
/// Box teardowns that run after their results are back: the box's init's exit (its namespaces'
/// teardown, which on an idle machine waits for an RCU grace period), the removal of its
/// cgroup and the release of its slot. A cold launch hands its box here once nothing of its
/// program is left in it; the result, the usage read and the work dir's ownership are settled
/// before. One thread of this process works through them in order (or none, see
/// <see cref="InBackground"/>); <see cref="Drain"/> waits for all of them (and runs any not yet
/// started itself), at process exit too. A slot stays held until its box is gone, so a launch
/// that finds every slot taken first runs a teardown of this process that has not started yet
/// (<see cref="RunNext"/>). A teardown that fails is counted and kept (<see cref="Failures"/>,
/// <see cref="LastFailure"/>, the metric runner.box.teardown_failures), never thrown at a later
/// caller.
/// </summary>
internal static class BoxTeardown
{
    private static readonly object Gate = new();
    private static readonly Queue<Action> Queue = new();
    private static int _pending;
    private static long _failures;
    private static string? _lastFailure;
    private static Thread? _worker;
    private static bool _exitHooked;

    /// <summary>
    /// True (the default): a thread of the engine tears boxes down as they come. False: they
    /// wait for <see cref="Drain"/> (or a launch that needs their slot, or process exit); for a
    /// process that runs one box and exits, which saves starting that thread (0.1-0.5 ms, most
    /// of it the new thread's start-up, which Thread.Start waits for).
    /// </summary>
    public static bool InBackground
    {
        get => Volatile.Read(ref _inBackground);
        set
        {
            lock (Gate)
            {
                _inBackground = value;
                if (value && _worker is null && _pending > 0) StartWorker();
                Monitor.PulseAll(Gate);
            }
        }
    }

    private static bool _inBackground = true;

    /// <summary>Teardowns queued or running.</summary>
    public static int Pending
    {
        get
        {
            lock (Gate) return _pending;
        }
    }

    public static long Failures => Interlocked.Read(ref _failures);

    public static string? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Queues <paramref name="teardown"/>; it must not throw for a reason the caller could act on.</summary>
    public static void Defer(Action teardown)
    {
        lock (Gate)
        {
            Queue.Enqueue(teardown);
            _pending++;
            if (!_exitHooked)
            {
                // Nothing is left behind at exit: the host's shutdown, the CLI's return, a test run's end.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Drain();
                _exitHooked = true;
            }
            if (_worker is null && _inBackground) StartWorker();
            Monitor.PulseAll(Gate);
        }
    }

    private static void StartWorker()
    {
        _worker = new Thread(Work) { IsBackground = true, Name = "runner box teardown" };
        _worker.Start();
    }

    /// <summary>Returns once every teardown queued so far (and any queued meanwhile) has finished.</summary>
    public static void Drain()
    {
        while (true)
        {
            Action? next;
            lock (Gate)
            {
                if (_pending == 0) return;
                if (!Queue.TryDequeue(out next))
                {
                    Monitor.Wait(Gate);
                    continue;
                }
            }
            // The worker has not taken it yet: run it here rather than wait for it to be scheduled.
            Run(next);
        }
    }

    /// <summary>Runs the next teardown no thread has started yet, here; false when there is none.</summary>
    public static bool RunNext()
    {
        Action? next;
        lock (Gate)
        {
            if (!Queue.TryDequeue(out next)) return false;
        }
        Run(next);
        return true;
    }

    private static void Work()
    {
        while (true)
        {
            Action next;
            lock (Gate)
            {
                while (!_inBackground || !Queue.TryDequeue(out next!)) Monitor.Wait(Gate);
            }
            Run(next);
        }
    }

    private static void Run(Action teardown)
    {
        try
        {
            teardown();
        }
        catch (Exception e)
        {
            // The box's slot is released by the teardown whatever failed (its next user removes
            // a leftover cgroup before use); what failed is kept for the operator.
            Interlocked.Increment(ref _failures);
            Volatile.Write(ref _lastFailure, e is AggregateException a ? string.Join("; ", a.InnerExceptions.Select(i => i.Message)) : e.Message);
            SandboxMetrics.TeardownFailed();
        }
        finally
        {
            lock (Gate)
            {
                _pending--;
                Monitor.PulseAll(Gate);
            }
        }
    }
}
