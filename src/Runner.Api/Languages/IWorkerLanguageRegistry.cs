using Runner.Api.Contracts;

namespace Runner.Api.Languages;

/// <summary>
/// Where workers record the languages they can judge, and where API hosts read them. A record
/// expires unless its worker renews it, so a worker that died stops counting after a while.
/// </summary>
public interface IWorkerLanguageRegistry
{
    /// <summary>Replaces this worker's record; it counts until <paramref name="ttl"/> from now.</summary>
    Task RecordAsync(string worker, IReadOnlyList<LanguageView> languages, TimeSpan ttl, CancellationToken ct);

    /// <summary>The languages of every unexpired record, one entry per language id.</summary>
    Task<IReadOnlyList<LanguageView>> ListLiveAsync(CancellationToken ct);
}

internal static class WorkerLanguageMerge
{
    /// <summary>One view per id; workers on different images may report different versions, all kept.</summary>
    public static IReadOnlyList<LanguageView> Merge(IEnumerable<IReadOnlyList<LanguageView>> records) =>
        records.SelectMany(r => r)
            .GroupBy(l => l.Id, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new LanguageView(g.Key, g.First().Name,
                string.Join(", ", g.Select(l => l.Version).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))))
            .ToList();
}
