using Runner.Api.Contracts;
using Runner.Api.Languages;
using Runner.Api.Storage;

namespace Runner.Api.Metrics;

/// <summary>The in-memory store's view: this process is the whole deployment.</summary>
public sealed class InMemoryClusterState(ISubmissionStore store, IWorkerLanguageRegistry registry, TimeProvider clock) : IClusterState
{
    public Task<ClusterSnapshot> ReadAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var unfinished = (store as InMemorySubmissionStore)?.Unfinished() ?? [];
        var queued = unfinished.Where(r => r.Status == SubmissionStatus.Queued).ToList();
        double? oldest = queued.Count == 0 ? null : Math.Max(0, (now - queued.Min(r => r.CreatedAt)).TotalSeconds);
        var workers = ((registry as InMemoryWorkerLanguageRegistry)?.Live() ?? [])
            .Select(w => (w.Worker, Math.Max(0, (now - w.SeenAt).TotalSeconds))).OrderBy(w => w.Worker, StringComparer.Ordinal).ToList();
        return Task.FromResult(new ClusterSnapshot(queued.Count, unfinished.Count - queued.Count, oldest, workers));
    }
}
