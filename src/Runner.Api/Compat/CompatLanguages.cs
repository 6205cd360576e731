using System.Text.RegularExpressions;
using Runner.Api.Contracts;
using Runner.Api.Languages;
using Runner.Judge.Languages;

namespace Runner.Api.Compat;

/// <summary>
/// Runner's languages in Judge0's and Piston's terms: Judge0 CE 1.13.1's ids and names, Piston's
/// package names and aliases, each with the version the workers detected, as x.y.z.
/// Only languages some live worker can run are offered; an id or name of a language Runner does
/// not run is unknown, never mapped to another.
/// </summary>
public sealed partial class CompatLanguages(LiveLanguages live)
{
    /// <param name="Judge0Name">Judge0's name before the version: "C (GCC {0})".</param>
    /// <param name="ListedIds">Judge0 ids listed by /languages (the first is the main one).</param>
    /// <param name="AliasIds">Ids accepted and answered by /languages/{id} and /languages/all, but not listed by /languages.</param>
    /// <param name="HiddenIds">Judge0 1.14.0's ids, accepted by POST only.</param>
    public sealed record Entry(string RunnerId, string Judge0Name, int[] ListedIds, int[] AliasIds, int[] HiddenIds,
        string PistonName, string[] PistonAliases, string? PistonRuntime, bool Compiled);

    public static readonly IReadOnlyList<Entry> Table =
    [
        new("bash", "Bash ({0})", [46], [], [], "bash", ["sh"], null, false),
        new("c", "C (GCC {0})", [50], [48, 49], [103], "c", ["gcc"], "gcc", true),
        new("cpp", "C++ (GCC {0})", [52, 54], [53], [105], "c++", ["cpp", "g++"], "gcc", true),
        new("fortran", "Fortran (GFortran {0})", [59], [], [], "fortran", ["fortran", "f90"], "gcc", true),
        new("java", "Java (OpenJDK {0})", [62], [], [], "java", [], null, true),
        new("javascript", "JavaScript (Node.js {0})", [63], [], [102], "javascript", ["node-javascript", "node-js", "javascript", "js"], "node", false),
        new("python", "Python ({0})", [71], [], [113], "python", ["py", "py3", "python3"], null, false),
        new("perl", "Perl ({0})", [85], [], [], "perl", ["pl"], null, false),
    ];

    /// <summary>A language some live worker runs, with its detected version as x.y.z.</summary>
    public sealed record Live(Entry Entry, string Version, LanguageDefinition? Definition)
    {
        public string Judge0Name => string.Format(System.Globalization.CultureInfo.InvariantCulture, Entry.Judge0Name, Version);
    }

    private static readonly Lazy<LanguageCatalog> Catalog = new(() => LanguageCatalog.Load());

    public IReadOnlyList<Live> Available()
    {
        var views = live.Available;
        var list = new List<Live>();
        foreach (var e in Table)
            if (views.FirstOrDefault(v => v.Id == e.RunnerId) is { } v)
                list.Add(new Live(e, Normalize(v.Version), Catalog.Value.Find(e.RunnerId)));
        return list;
    }

    /// <summary>For Judge0's POST: listed, alias and 1.14.0 ids alike.</summary>
    public Live? ByJudge0Id(int id, bool includeHidden) =>
        Available().FirstOrDefault(l => l.Entry.ListedIds.Contains(id) || l.Entry.AliasIds.Contains(id) || (includeHidden && l.Entry.HiddenIds.Contains(id)));

    /// <summary>The first x.y.z (or x.y, or x) in a version line, padded to three parts: "Python 3.11.2" is 3.11.2, javac "17" is 17.0.0.</summary>
    public static string Normalize(string version)
    {
        var first = version.Split(',')[0];
        var m = VersionNumber().Match(first);
        if (!m.Success) return "0.0.0";
        var parts = m.Value.Split('.').ToList();
        while (parts.Count < 3) parts.Add("0");
        return string.Join('.', parts.Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [GeneratedRegex(@"\d+(\.\d+){0,2}")]
    private static partial Regex VersionNumber();
}
