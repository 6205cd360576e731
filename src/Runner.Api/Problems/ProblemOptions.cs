namespace Runner.Api.StoredProblems;

/// <summary>The "Runner:Problems" configuration section: bounds on uploaded packages and the workers' cache.</summary>
public sealed class ProblemOptions
{
    public const string Section = "Runner:Problems";

    /// <summary>Largest zip a PUT accepts, in bytes (a larger body is a 413).</summary>
    public long MaxZipBytes { get; set; } = 64L << 20;

    /// <summary>Largest total of the entries once unpacked; an entry that takes the total past it is a 400 naming it.</summary>
    public long MaxUnpackedBytes { get; set; } = 256L << 20;

    /// <summary>Entries in one zip, directories included.</summary>
    public int MaxEntries { get; set; } = 5000;

    /// <summary>Tests in one problem.</summary>
    public int MaxTests { get; set; } = 1000;

    /// <summary>Where a worker keeps unpacked versions; default Runner:WorkRoot/problems, else $TMPDIR/runner-problems-USER.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Bound on the cache's unpacked bytes; least recently used versions are removed past it.</summary>
    public long CacheBytes { get; set; } = 2L << 30;
}
