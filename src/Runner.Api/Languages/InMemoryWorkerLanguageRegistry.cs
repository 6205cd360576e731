using System.Collections.Concurrent;
using Runner.Api.Contracts;

namespace Runner.Api.Languages;

/// <summary>The in-memory store's registry: only this process's own worker role can record into it.</summary>
public sealed class InMemoryWorkerLanguageRegistry(TimeProvider clock) : IWorkerLanguageRegistry
{
    private readonly ConcurrentDictionary<string, (IReadOnlyList<LanguageView> Languages, DateTimeOffset SeenAt, DateTimeOffset ExpiresAt)> _records = new();

    public Task RecordAsync(string worker, IReadOnlyList<LanguageView> languages, TimeSpan ttl, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        _records[worker] = (languages, now, now + ttl);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LanguageView>> ListLiveAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(WorkerLanguageMerge.Merge(_records.Values.Where(r => r.ExpiresAt > now).Select(r => r.Languages)));
    }

    /// <summary>For the metrics' worker gauges: each unexpired record's worker and its last renewal.</summary>
    internal IReadOnlyList<(string Worker, DateTimeOffset SeenAt)> Live()
    {
        var now = clock.GetUtcNow();
        return _records.Where(r => r.Value.ExpiresAt > now).Select(r => (r.Key, r.Value.SeenAt)).ToList();
    }
}
