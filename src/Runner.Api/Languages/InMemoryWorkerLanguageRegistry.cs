using System.Collections.Concurrent;
using Runner.Api.Contracts;

namespace Runner.Api.Languages;

/// <summary>The in-memory store's registry: only this process's own worker role can record into it.</summary>
public sealed class InMemoryWorkerLanguageRegistry(TimeProvider clock) : IWorkerLanguageRegistry
{
    private readonly ConcurrentDictionary<string, (IReadOnlyList<LanguageView> Languages, DateTimeOffset ExpiresAt)> _records = new();

    public Task RecordAsync(string worker, IReadOnlyList<LanguageView> languages, TimeSpan ttl, CancellationToken ct)
    {
        _records[worker] = (languages, clock.GetUtcNow() + ttl);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LanguageView>> ListLiveAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(WorkerLanguageMerge.Merge(_records.Values.Where(r => r.ExpiresAt > now).Select(r => r.Languages)));
    }
}
