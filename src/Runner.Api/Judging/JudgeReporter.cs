using Runner.Api.Contracts;
using Runner.Api.Queue;
using Runner.Api.Storage;
using Runner.Judge;
using Runner.Judge.Json;

namespace Runner.Api.Judging;

/// <summary>
/// Turns the judge's progress into the row's <c>progress</c> (GET) and the submission's events
/// (compiling, compiled, one per finished test: the live stream and the per-test results GET
/// shows while it runs). Writes go out in order, off the judge's thread, one at a time; what
/// the judge reports while a write is in flight goes out together in the next one, so fast
/// tests cost fewer round trips than tests. Each write renews the lease. The first write waits
/// <see cref="FirstWriteDelay"/>, and what is still unwritten when the judge ends goes with the
/// result (<see cref="CloseAsync"/>): a submission judged faster than that costs no progress
/// write at all, only the result's.
/// </summary>
public sealed class JudgeReporter(
    ISubmissionStore store,
    EventSignals signals,
    Guid id,
    string worker,
    int attempt,
    TimeSpan lease,
    Action refused,
    ILogger logger) : IProgress<JudgeProgress>
{
    private readonly Lock _gate = new();
    private readonly List<NewSubmissionEvent> _events = [];
    private ProgressView _progress = ProgressView.Starting;
    private bool _pending;
    private Task _writer = Task.CompletedTask;
    private bool _writing;
    private bool _closed;
    private bool _started;

    /// <summary>How long the judge runs before its progress is first written: shorter than anyone polls, longer than a quick submission.</summary>
    public static readonly TimeSpan FirstWriteDelay = TimeSpan.FromMilliseconds(50);

    public void Report(JudgeProgress p)
    {
        lock (_gate)
        {
            switch (p.Stage)
            {
                case JudgeStage.Compiling:
                    _progress = new ProgressView("compiling", null, null, p.TestCount);
                    _events.Add(Event(SubmissionEventType.Compiling, new CompilingEventData(attempt)));
                    break;
                case JudgeStage.Compiled:
                    var compile = p.Compile is { Status: not CompileStatus.Skipped } c ? CompileView.From(c) : null;
                    _events.Add(Event(SubmissionEventType.Compiled, new CompiledEventData(compile)));
                    break;
                case JudgeStage.TestStarted:
                    _progress = new ProgressView("testing", p.TestName, p.TestIndex + 1, p.TestCount);
                    break;
                case JudgeStage.TestFinished when p.Test is { } test:
                    _events.Add(Event(SubmissionEventType.Test, new TestEventData(p.TestIndex + 1, p.TestCount, TestJson.From(test))));
                    // The last test's event goes with the result, which follows at once.
                    if (p.TestIndex + 1 == p.TestCount) return;
                    break;
                default:
                    return;
            }
            WriteSoon();
        }
    }

    /// <summary>Writes the current progress again: the heartbeat that keeps the lease while one test runs long.</summary>
    public void Renew()
    {
        lock (_gate) WriteSoon();
    }

    /// <summary>Completes once everything reported so far is written.</summary>
    public Task FlushAsync()
    {
        lock (_gate) return _writer;
    }

    /// <summary>
    /// Stops writing: waits for the write in flight (its events come first) and returns the
    /// events reported since, for the store to append with the result in one transaction.
    /// </summary>
    public async Task<IReadOnlyList<NewSubmissionEvent>> CloseAsync()
    {
        Task writer;
        lock (_gate)
        {
            _closed = true;
            writer = _writer;
        }
        await writer;
        lock (_gate)
        {
            var rest = _events.ToList();
            _events.Clear();
            return rest;
        }
    }

    private static NewSubmissionEvent Event<T>(string type, T data) => new(type, StoreJson.Serialize(data));

    private void WriteSoon()
    {
        _pending = true;
        if (_writing || _closed) return;
        _writing = true;
        if (_started)
        {
            _writer = Task.Run(DrainAsync);
            return;
        }
        _started = true;
        _ = StartLaterAsync();
    }

    /// <summary>The first write, after <see cref="FirstWriteDelay"/>; not awaited by <see cref="CloseAsync"/> (the result takes what it would have written).</summary>
    private async Task StartLaterAsync()
    {
        await Task.Delay(FirstWriteDelay);
        lock (_gate)
        {
            if (_closed)
            {
                _writing = false;
                return;
            }
            _writer = Task.Run(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            ProgressView progress;
            List<NewSubmissionEvent> events;
            lock (_gate)
            {
                if (!_pending || _closed)
                {
                    _writing = false;
                    return;
                }
                _pending = false;
                progress = _progress;
                events = [.. _events];
                _events.Clear();
            }
            try
            {
                var held = await store.ReportProgressAsync(id, worker, progress, lease, events, CancellationToken.None);
                if (events.Count > 0) signals.Notify(id);
                if (!held) refused();
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not record progress of submission {Id}", id);
            }
        }
    }
}
