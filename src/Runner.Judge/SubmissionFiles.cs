using System.Text;

namespace Runner.Judge;

/// <summary>
/// Names of the files a submission brings beside its source: relative paths inside /box, each
/// written with the no-follow writer (<see cref="Runner.Sandbox.HostFiles.BoxDirectory.WriteFile"/>).
/// </summary>
public static class SubmissionFiles
{
    /// <summary>Linux's NAME_MAX; a whole path stays well below PATH_MAX.</summary>
    public const int MaxNameBytes = 255, MaxPathBytes = 1024;

    /// <summary>Why <paramref name="path"/> cannot name a file in /box, or null when it can.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "a file needs a name";
        if (path.StartsWith('/')) return "must be a relative path inside /box, not an absolute one";
        var parts = path.Split('/');
        if (parts.Any(p => p is "" or "." or "..")) return "must not contain '..', '.' or empty segments";
        if (path.Any(c => c == '\0' || char.IsControl(c))) return "must not contain control characters";
        if (parts.Any(p => Encoding.UTF8.GetByteCount(p) > MaxNameBytes) || Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
            return $"names are at most {MaxNameBytes} bytes and a path at most {MaxPathBytes}";
        return null;
    }

    /// <summary>Two paths naming one file, or a file that is also another's directory ("a" and "a/b").</summary>
    public static (string Path, string Message)? Conflict(IEnumerable<string> paths)
    {
        var all = paths.ToHashSet(StringComparer.Ordinal);
        foreach (var path in all)
            for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
                if (all.Contains(path[..slash]))
                    return (path, $"needs '{path[..slash]}' to be a directory, but it is also given as a file");
        return null;
    }
}
