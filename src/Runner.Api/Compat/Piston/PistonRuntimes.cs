using Semver;

namespace Runner.Api.Compat.Piston;

/// <summary>Piston's runtimes: one per language a live worker runs, with Piston's names and aliases and the detected version.</summary>
public sealed class PistonRuntimes(CompatLanguages languages)
{
    public sealed record Runtime(string Language, string Version, string[] Aliases, string? Package, CompatLanguages.Live Live);

    public IReadOnlyList<Runtime> All() => languages.Available()
        .Select(l => new Runtime(l.Entry.PistonName, l.Version, l.Entry.PistonAliases, l.Entry.PistonRuntime, l))
        .ToList();

    /// <summary>Piston's match: the name or an alias, and the version inside the SemVer range ("*", "3", "3.x", "^3.10", "3.11.2"); the newest wins.</summary>
    public Runtime? Find(string language, string range)
    {
        SemVersionRange parsed;
        try
        {
            parsed = SemVersionRange.ParseNpm(range.Trim());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
        return All()
            .Where(r => r.Language == language || r.Aliases.Contains(language))
            .Select(r => (Runtime: r, Version: SemVersion.TryParse(r.Version, SemVersionStyles.Any, out var v) ? v : null))
            .Where(x => x.Version is not null && parsed.Contains(x.Version))
            .OrderByDescending(x => x.Version!, SemVersion.PrecedenceComparer)
            .Select(x => x.Runtime)
            .FirstOrDefault();
    }
}
