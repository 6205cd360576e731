using System.Text.Json;
using System.Text.Json.Serialization;

namespace Runner.Judge.Groups;

/// <summary>How a group turns its tests' scores into points (README.md, "Groups").</summary>
[JsonConverter(typeof(GroupScoringJsonConverter))]
public enum GroupScoring
{
    /// <summary>The group's points times its lowest test score: all or nothing (the IOI rule).</summary>
    Min,

    /// <summary>The group's points shared equally among its tests.</summary>
    Sum,
}

/// <summary>min, sum: lowercase on the wire.</summary>
public sealed class GroupScoringJsonConverter() : JsonStringEnumConverter<GroupScoring>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
{
    public static string Name(GroupScoring scoring) => JsonNamingPolicy.SnakeCaseLower.ConvertName(scoring.ToString());

    public static bool TryParse(string? text, out GroupScoring scoring)
    {
        scoring = GroupScoring.Min;
        foreach (var value in Enum.GetValues<GroupScoring>())
            if (Name(value) == text)
            {
                scoring = value;
                return true;
            }
        return false;
    }
}

/// <summary>
/// A subtask: some of the request's tests, worth <paramref name="Points"/> together. A group
/// runs only when every group it depends on passed (all its tests accepted); dependencies name
/// groups listed before it, so the order of the list is an order that respects them.
/// </summary>
/// <param name="Tests">Test names, in the order they run; each test belongs to exactly one group.</param>
public sealed record TestGroup(string Name, double Points, GroupScoring Scoring, IReadOnlyList<string> Tests,
    IReadOnlyList<string>? DependsOn = null)
{
    /// <summary>The request-level checks shared by the judge, the API and problem packages; null when valid.</summary>
    /// <returns>(field, message), the field relative to the list ("groups[1].tests").</returns>
    public static (string Field, string Message)? Check(IReadOnlyList<TestGroup> groups, IEnumerable<string> testNames)
    {
        var tests = testNames.ToHashSet(StringComparer.Ordinal);
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        var earlier = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            var at = $"groups[{i}]";
            if (g is null) return (at, "must be an object");
            if (string.IsNullOrEmpty(g.Name)) return ($"{at}.name", "is required");
            if (earlier.Contains(g.Name)) return ($"{at}.name", $"group '{g.Name}' is listed twice");
            if (!double.IsFinite(g.Points) || g.Points < 0) return ($"{at}.points", "must be a finite number >= 0");
            if (g.Tests is not { Count: > 0 }) return ($"{at}.tests", "must name at least one test");
            foreach (var t in g.Tests)
            {
                if (!tests.Contains(t)) return ($"{at}.tests", $"names test '{t}', which does not exist");
                if (!owner.TryAdd(t, g.Name)) return ($"{at}.tests", $"test '{t}' is already in group '{owner[t]}'; a test belongs to one group");
            }
            foreach (var d in g.DependsOn ?? [])
                if (!earlier.Contains(d))
                    return ($"{at}.depends_on", d == g.Name || groups.Any(o => o.Name == d)
                        ? $"'{d}' must be a group listed before '{g.Name}'"
                        : $"names group '{d}', which does not exist");
            earlier.Add(g.Name);
        }
        if (tests.FirstOrDefault(t => !owner.ContainsKey(t)) is { } orphan)
            return ("groups", $"test '{orphan}' is in no group; with groups every test belongs to one");
        return null;
    }
}
