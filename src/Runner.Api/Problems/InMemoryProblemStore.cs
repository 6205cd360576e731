namespace Runner.Api.StoredProblems;

/// <summary>Problems kept in this process, for the in-memory default mode.</summary>
public sealed class InMemoryProblemStore(TimeProvider clock) : IProblemStore
{
    private readonly Dictionary<(string, string), ProblemVersion> _versions = [];
    private readonly Dictionary<string, byte[]> _packages = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Task<bool> PutAsync(ProblemVersion version, byte[] package, CancellationToken ct)
    {
        lock (_gate)
        {
            _packages.TryAdd(version.Version, package);
            var key = (version.Problem, version.Version);
            var isNew = !_versions.TryGetValue(key, out var old);
            _versions[key] = (old ?? version) with { RetiredAt = null, UploadedAt = clock.GetUtcNow() };
            return Task.FromResult(isNew);
        }
    }

    public Task<IReadOnlyList<ProblemVersion>> ListAsync(string problem, CancellationToken ct)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<ProblemVersion>>(
                _versions.Values.Where(v => v.Problem == problem).OrderByDescending(v => v.UploadedAt).ToList());
    }

    public Task<ProblemVersion?> GetAsync(string problem, string version, CancellationToken ct)
    {
        lock (_gate) return Task.FromResult(_versions.GetValueOrDefault((problem, version)));
    }

    public Task<bool> RetireAsync(string problem, string version, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_versions.TryGetValue((problem, version), out var v)) return Task.FromResult(false);
            _versions[(problem, version)] = v with { RetiredAt = v.RetiredAt ?? clock.GetUtcNow() };
            return Task.FromResult(true);
        }
    }

    public Task<byte[]?> GetPackageAsync(string version, CancellationToken ct)
    {
        lock (_gate) return Task.FromResult(_packages.GetValueOrDefault(version));
    }
}
