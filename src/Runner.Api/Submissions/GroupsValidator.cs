using Runner.Api.Contracts;
using Runner.Judge.Groups;

namespace Runner.Api.Submissions;

/// <summary>Turns requested groups into the judge's, naming the field at fault; the rules are <see cref="TestGroup.Check"/>'s.</summary>
public static class GroupsValidator
{
    /// <param name="prefix">The JSON path of the list's parent ("" for a submission, "problem.json:" for a package).</param>
    public static IReadOnlyList<TestGroup>? Resolve(IReadOnlyList<GroupRequest>? requested, IEnumerable<string> testNames, string prefix, ValidationErrors errors)
    {
        if (requested is null) return null;
        if (requested.Count == 0)
        {
            errors.Add(prefix + "groups", "must contain at least one group when given");
            return null;
        }
        var groups = new List<TestGroup>();
        var ok = true;
        for (var i = 0; i < requested.Count; i++)
        {
            var g = requested[i];
            var at = $"{prefix}groups[{i}]";
            if (g is null)
            {
                errors.Add(at, "must be an object");
                ok = false;
                continue;
            }
            var scoring = GroupScoring.Min;
            if (g.Scoring is not null && !GroupScoringJsonConverter.TryParse(g.Scoring, out scoring))
            {
                errors.Add($"{at}.scoring", $"unknown scoring '{g.Scoring}'; expected min or sum");
                ok = false;
            }
            if (g.Points is null)
            {
                errors.Add($"{at}.points", "is required");
                ok = false;
            }
            if (g.Tests?.Any(t => t is null) == true || g.DependsOn?.Any(d => d is null) == true)
            {
                errors.Add(at, "test and group names must be strings");
                ok = false;
            }
            groups.Add(new TestGroup(g.Name ?? "", g.Points ?? 0, scoring, g.Tests ?? [], g.DependsOn));
        }
        if (!ok) return null;
        if (TestGroup.Check(groups, testNames) is { } bad)
        {
            errors.Add(prefix + bad.Field, bad.Message);
            return null;
        }
        return groups;
    }
}
