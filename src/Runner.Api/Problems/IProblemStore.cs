namespace Runner.Api.StoredProblems;

/// <summary>
/// Problem versions and their packages. A package is stored once per content hash, whichever
/// problem ids use it; a version is immutable once stored, and retiring it only keeps new
/// submissions from naming it (queued ones are still judged with it).
/// </summary>
public interface IProblemStore
{
    /// <summary>Stores a version; true when it is new. The same content again un-retires it and makes it the latest.</summary>
    Task<bool> PutAsync(ProblemVersion version, byte[] package, CancellationToken ct);

    /// <summary>Every version of a problem, the latest upload first; empty for an unknown problem.</summary>
    Task<IReadOnlyList<ProblemVersion>> ListAsync(string problem, CancellationToken ct);

    Task<ProblemVersion?> GetAsync(string problem, string version, CancellationToken ct);

    /// <summary>False when there is no such version.</summary>
    Task<bool> RetireAsync(string problem, string version, CancellationToken ct);

    /// <summary>The stored zip of a version, or null; what a worker fetches.</summary>
    Task<byte[]?> GetPackageAsync(string version, CancellationToken ct);
}
