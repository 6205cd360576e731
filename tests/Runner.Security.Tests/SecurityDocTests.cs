using System.Reflection;
using System.Text.RegularExpressions;

namespace Runner.Security.Tests;

/// <summary>docs/security.md is the table of cases; it must name every case and nothing else.</summary>
public partial class SecurityDocTests
{
    [GeneratedRegex(@"^\| `([A-Za-z0-9_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [Fact]
    public void Every_attack_case_is_listed_in_docs_security_md()
    {
        var doc = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "security.md"));
        var listed = TableRow().Matches(doc).Select(m => m.Groups[1].Value).ToHashSet();
        var cases = typeof(SecurityDocTests).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Attacks"))
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttributes<FactAttribute>().Any())
            .Select(m => m.Name)
            .ToHashSet();
        Assert.True(cases.Count >= 40, $"only {cases.Count} cases");
        var missing = cases.Except(listed).Order().ToList();
        var stale = listed.Except(cases).Order().ToList();
        Assert.True(missing.Count == 0, $"cases missing from docs/security.md: {string.Join(", ", missing)}");
        Assert.True(stale.Count == 0, $"docs/security.md lists cases that do not exist: {string.Join(", ", stale)}");
    }
}
