using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Judge;
using Runner.Judge.Checking;
using Runner.Sandbox.HostFiles;

namespace Runner.Api.StoredProblems;

/// <summary>
/// A worker's local copy of problem versions, unpacked under a directory keyed by content
/// hash, so a test set crosses the network once per worker host. Filling is race-free across
/// processes (unpack into a private temporary directory, then rename it into place), and the
/// cache is bounded: past <see cref="ProblemOptions.CacheBytes"/> the least recently used
/// versions this process is not judging with are removed.
/// </summary>
public sealed class ProblemCache(IProblemStore store, IOptions<ProblemOptions> options, IOptions<RunnerOptions> runner, ILogger<ProblemCache> logger)
{
    public const string MeterName = "Runner.Problems";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> FetchCounter = Meter.CreateCounter<long>("runner.problem.package_fetches", description: "Problem packages fetched from the store by this worker");
    private static readonly Counter<long> FetchBytes = Meter.CreateCounter<long>("runner.problem.package_fetch_bytes", "By", "Bytes of problem packages fetched from the store");

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _filling = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), ProblemDefinition> _definitions = new();
    private readonly ConcurrentDictionary<string, int> _inUse = new(StringComparer.Ordinal);
    private readonly Lazy<string> _root = new(() => WorkRoot.Prepare(options.Value.CacheDirectory
        ?? (runner.Value.WorkRoot is { } w ? Path.Combine(w, "problems") : Path.Combine(Path.GetTempPath(), $"runner-problems-{Environment.UserName}"))));
    private long _fetches;

    /// <summary>Packages this process fetched from the store (each one a cache miss).</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    /// <summary>The version's files on local disk and its definition, held until disposed so they are not evicted meanwhile.</summary>
    /// <exception cref="ProblemUnavailableException">The store has no such version, or its package is damaged.</exception>
    public async Task<ProblemLease> AcquireAsync(ProblemRef problem, CancellationToken ct)
    {
        var version = problem.Version ?? throw new ProblemUnavailableException($"submission names problem '{problem.Id}' without a version");
        if (!_definitions.TryGetValue((problem.Id, version), out var definition))
        {
            definition = (await store.GetAsync(problem.Id, version, ct))?.Definition
                ?? throw new ProblemUnavailableException($"problem '{problem.Id}' has no version '{version}' in the store");
            _definitions[(problem.Id, version)] = definition;
        }
        _inUse.AddOrUpdate(version, 1, (_, n) => n + 1);
        try
        {
            var dir = await FillAsync(version, ct);
            return new ProblemLease(dir, definition, () => _inUse.AddOrUpdate(version, 0, (_, n) => n - 1));
        }
        catch
        {
            _inUse.AddOrUpdate(version, 0, (_, n) => n - 1);
            throw;
        }
    }

    private async Task<string> FillAsync(string version, CancellationToken ct)
    {
        var root = _root.Value;
        var dir = Path.Combine(root, version);
        if (Directory.Exists(dir))
        {
            Directory.SetLastWriteTimeUtc(dir, DateTime.UtcNow);
            return dir;
        }
        var gate = _filling.GetOrAdd(version, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (Directory.Exists(dir)) return dir;
            var zip = await store.GetPackageAsync(version, ct) ?? throw new ProblemUnavailableException($"the store has no package for version '{version}'");
            var count = Interlocked.Increment(ref _fetches);
            FetchCounter.Add(1);
            FetchBytes.Add(zip.Length);
            logger.LogInformation("Fetched problem package {Version} ({Bytes} bytes) from the store; fetch {Count} of this process", version, zip.Length, count);

            IReadOnlyDictionary<string, byte[]> entries;
            try
            {
                entries = ProblemPackage.Unpack(zip, version, options.Value);
            }
            catch (InvalidDataException e)
            {
                throw new ProblemUnavailableException(e.Message);
            }
            var temporary = Path.Combine(root, $".fill-{Guid.NewGuid():N}");
            Directory.CreateDirectory(temporary);
            try
            {
                // Names were checked by Unpack (relative, no '..'), and the root is ours alone (WorkRoot).
                foreach (var (name, content) in entries)
                {
                    var path = Path.Combine(temporary, name);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await File.WriteAllBytesAsync(path, content, ct);
                }
                Directory.Move(temporary, dir);
            }
            catch (IOException) when (Directory.Exists(dir))
            {
                // Another process on this host filled it first.
                Directory.Delete(temporary, recursive: true);
            }
            Evict(root, keep: version);
            return dir;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Least recently used first, never a version this process is judging with, until the cache fits its bound.</summary>
    private void Evict(string root, string keep)
    {
        try
        {
            var versions = new DirectoryInfo(root).EnumerateDirectories()
                .Where(d => !d.Name.StartsWith('.'))
                .Select(d => (Dir: d, Bytes: d.EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)))
                .OrderBy(v => v.Dir.LastWriteTimeUtc)
                .ToList();
            var total = versions.Sum(v => v.Bytes);
            foreach (var (d, bytes) in versions)
            {
                if (total <= options.Value.CacheBytes) break;
                if (d.Name == keep || _inUse.GetValueOrDefault(d.Name) > 0) continue;
                d.Delete(recursive: true);
                total -= bytes;
                logger.LogInformation("Removed problem version {Version} ({Bytes} bytes) from the cache (bound {Bound} bytes)", d.Name, bytes, options.Value.CacheBytes);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not trim the problem cache: {Error}", e.Message);
        }
    }
}

/// <summary>A version on local disk, kept from eviction until disposed.</summary>
public sealed class ProblemLease(string directory, ProblemDefinition definition, Action release) : IDisposable
{
    private int _released;

    public string Directory => directory;
    public ProblemDefinition Definition => definition;

    /// <summary>The judge's request for this version: its tests (read from the cache by the judge, never by a box), limits, checker and groups.</summary>
    public JudgeRequest Apply(JudgeRequest request)
    {
        var checker = definition.Checker;
        return request with
        {
            Tests = definition.Tests.Select(t => TestCase.FromFiles(t.Name, Path.Combine(directory, t.InputEntry),
                t.AnswerSize is null ? null : Path.Combine(directory, t.AnswerEntry))).ToList(),
            Limits = definition.Limits.ToSandboxLimits(),
            Checker = checker.Type switch
            {
                CheckerKind.Float => CheckerSpec.Float(checker.Epsilon ?? CheckerSpec.DefaultEpsilon),
                CheckerKind.Custom => CheckerSpec.Custom(File.ReadAllText(Path.Combine(directory, checker.File!)), checker.Language!),
                var kind => new CheckerSpec { Kind = kind },
            },
            Groups = definition.Groups,
            Interactor = definition.Interactor is { } i ? new InteractorSpec(File.ReadAllText(Path.Combine(directory, i.File)), i.Language) : null,
        };
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) release();
    }
}

/// <summary>A submission's problem version cannot be had: an internal error for that submission, not the contestant's fault.</summary>
public sealed class ProblemUnavailableException(string message) : Exception(message);
