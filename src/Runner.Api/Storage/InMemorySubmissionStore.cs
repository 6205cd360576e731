using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Hosting;

namespace Runner.Api.Storage;

/// <summary>
/// The zero-setup default for `dotnet run` on a fresh machine. Everything is lost when the
/// process stops, which is why start-up logs a warning whenever this store is chosen.
/// </summary>
public sealed class InMemorySubmissionStore(TimeProvider clock, IOptions<RunnerOptions> options) : ISubmissionStore
{
    private sealed record Entry(SubmissionRecord Record, string? Worker, DateTimeOffset LeaseUntil);

    private readonly ConcurrentDictionary<Guid, Entry> _rows = new();
    private readonly Dictionary<string, Guid> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, List<SubmissionEvent>> _events = [];
    private readonly Lock _gate = new();

    /// <summary>Finished ids in the order they finished, for the bound on how many are kept.</summary>
    private readonly Queue<Guid> _finished = new();

    public string Kind => "in-memory";

    public Task InitializeAsync(CancellationToken ct) => Task.CompletedTask;

    public Task<IReadOnlyList<InsertOutcome>> InsertAsync(IReadOnlyList<SubmissionRecord> submissions, CancellationToken ct)
    {
        lock (_gate)
        {
            var outcomes = new List<InsertOutcome>();
            foreach (var s in submissions)
            {
                if (s.IdempotencyKey is { } key && _keys.TryGetValue(key, out var holder) && _rows.TryGetValue(holder, out var held))
                {
                    outcomes.Add(new InsertOutcome(held.Record, false));
                    continue;
                }
                _rows[s.Id] = new Entry(s, null, DateTimeOffset.MinValue);
                if (s.IdempotencyKey is { } k) _keys[k] = s.Id;
                outcomes.Add(new InsertOutcome(s, true));
            }
            return Task.FromResult<IReadOnlyList<InsertOutcome>>(outcomes);
        }
    }

    public Task<IReadOnlyList<SubmissionRecord>> FindByIdempotencyKeysAsync(IReadOnlyList<string> keys, CancellationToken ct)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<SubmissionRecord>>(keys
                .Select(k => _keys.TryGetValue(k, out var id) && _rows.TryGetValue(id, out var e) ? e.Record : null)
                .OfType<SubmissionRecord>().ToList());
    }

    public Task<SubmissionRecord?> GetAsync(Guid id, CancellationToken ct) =>
        Task.FromResult(_rows.TryGetValue(id, out var e) ? e.Record : null);

    public Task<IReadOnlyList<SubmissionRecord>> GetManyAsync(IReadOnlyList<Guid> ids, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<SubmissionRecord>>(ids.Select(id => _rows.TryGetValue(id, out var e) ? e.Record : null).OfType<SubmissionRecord>().ToList());

    public Task<long> CountPendingAsync(CancellationToken ct) =>
        Task.FromResult((long)_rows.Values.Count(e => e.Record.Status != SubmissionStatus.Finished));

    /// <summary>For the metrics' queue gauges: the unfinished records as they are now.</summary>
    internal IReadOnlyList<SubmissionRecord> Unfinished() =>
        _rows.Values.Select(e => e.Record).Where(r => r.Status != SubmissionStatus.Finished).ToList();

    public Task<ClaimOutcome> TryClaimAsync(Guid id, string worker, TimeSpan lease, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var e)) return Task.FromResult(new ClaimOutcome(ClaimResult.NotFound, null));
            if (e.Record.Status == SubmissionStatus.Finished) return Task.FromResult(new ClaimOutcome(ClaimResult.AlreadyFinished, e.Record));
            var now = clock.GetUtcNow();
            if (e.Worker is not null && e.Worker != worker && e.LeaseUntil > now)
                return Task.FromResult(new ClaimOutcome(ClaimResult.HeldElsewhere, e.Record));
            var record = e.Record with
            {
                Status = SubmissionStatus.Running,
                StartedAt = e.Record.StartedAt ?? now,
                Attempts = e.Record.Attempts + 1,
                Progress = ProgressView.Starting,
            };
            _rows[id] = new Entry(record, worker, now + lease);
            return Task.FromResult(new ClaimOutcome(ClaimResult.Claimed, record));
        }
    }

    public Task<bool> ReportProgressAsync(Guid id, string worker, ProgressView progress, TimeSpan lease, IReadOnlyList<NewSubmissionEvent> events, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var e) || e.Worker != worker || e.Record.Status != SubmissionStatus.Running)
                return Task.FromResult(false);
            _rows[id] = e with { Record = e.Record with { Progress = progress }, LeaseUntil = clock.GetUtcNow() + lease };
            foreach (var ev in events) Append(id, ev.Type, ev.Data);
            return Task.FromResult(true);
        }
    }

    public Task<SubmissionRecord?> CompleteAsync(Guid id, string worker, SubmissionResult result, IReadOnlyList<NewSubmissionEvent> events, CancellationToken ct) =>
        Task.FromResult(Finish(id, result, events));

    public Task<bool> CancelAsync(Guid id, SubmissionResult result, CancellationToken ct) => Task.FromResult(Finish(id, result, []) is not null);

    private SubmissionRecord? Finish(Guid id, SubmissionResult result, IReadOnlyList<NewSubmissionEvent> events)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var e) || e.Record.Status == SubmissionStatus.Finished) return null;
            var now = clock.GetUtcNow();
            var record = e.Record with { Status = SubmissionStatus.Finished, Result = result, Progress = null, StartedAt = e.Record.StartedAt ?? now, FinishedAt = now };
            _rows[id] = new Entry(record, null, DateTimeOffset.MinValue);
            foreach (var ev in events) Append(id, ev.Type, ev.Data);
            Append(id, SubmissionEventType.Finished, null);
            _finished.Enqueue(id);
            // The bound: memory is all this store has, so the oldest finished submissions go
            // first (unfinished ones are bounded by Queue:MaxPending).
            while (_finished.Count > Math.Max(0, options.Value.Retention.MaxInMemoryFinished) && _finished.TryDequeue(out var oldest))
                Remove(oldest);
            return record;
        }
    }

    /// <summary>Numbered after the last one; 1 is the implied queued event.</summary>
    private void Append(Guid id, string type, string? data)
    {
        if (!_events.TryGetValue(id, out var list)) _events[id] = list = [];
        list.Add(new SubmissionEvent(list.Count == 0 ? 2 : list[^1].Id + 1, type, data));
    }

    public Task<bool> DeleteFinishedAsync(Guid id, CancellationToken ct)
    {
        lock (_gate)
            return Task.FromResult(_rows.TryGetValue(id, out var e) && e.Record.Status == SubmissionStatus.Finished && Remove(id));
    }

    public Task<IReadOnlyList<SubmissionEvent>> ReadEventsAsync(Guid id, long after, CancellationToken ct)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<SubmissionEvent>>(_events.TryGetValue(id, out var list) ? list.Where(e => e.Id > after).ToList() : []);
    }

    public Task<IReadOnlyList<SubmissionSummary>> ListAsync(SubmissionFilter filter, int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<SubmissionSummary>>(_rows.Values.Select(e => e.Record)
            .Where(r => filter.Status is not { } st || r.Status == st)
            .Where(r => filter.Language is not { } lang || r.Input.Language == lang)
            .Where(r => filter.Before is not { } before || r.Id.CompareTo(before) < 0)
            .Where(r => filter.Problem is not { } problem || r.Input.Problem?.Id == problem)
            .OrderByDescending(r => r.Id)
            .Take(limit)
            .Select(r => r.ToSummary())
            .ToList());

    public Task MarkEnqueuedAsync(Guid id, string jobId, CancellationToken ct)
    {
        lock (_gate)
            if (_rows.TryGetValue(id, out var e)) _rows[id] = e with { Record = e.Record with { JobId = jobId } };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Guid>> ListWithoutJobAsync(TimeSpan age, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult<IReadOnlyList<Guid>>(_rows.Values
            .Where(e => e.Record.JobId is null
                && (e.Record.Status == SubmissionStatus.Queued && e.Record.CreatedAt < now - age
                    || e.Record.Status == SubmissionStatus.Running && e.LeaseUntil < now))
            .Select(e => e.Record.Id).ToList());
    }

    public Task<int> DeleteFinishedBeforeAsync(TimeSpan age, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - age;
        lock (_gate)
        {
            var deleted = 0;
            while (_finished.TryPeek(out var oldest) && (!_rows.TryGetValue(oldest, out var e) || e.Record.FinishedAt < cutoff))
            {
                _finished.Dequeue();
                if (Remove(oldest)) deleted++;
            }
            return Task.FromResult(deleted);
        }
    }

    private bool Remove(Guid id)
    {
        if (!_rows.TryRemove(id, out var e)) return false;
        _events.Remove(id);
        if (e.Record.IdempotencyKey is { } key) _keys.Remove(key);
        return true;
    }

    public Task PingAsync(CancellationToken ct) => Task.CompletedTask;
}
