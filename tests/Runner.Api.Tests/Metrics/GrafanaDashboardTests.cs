using System.Text.Json;
using System.Text.RegularExpressions;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Metrics;

/// <summary>The dashboard in deploy/grafana asks only for families Runner exports, as the README's table names them.</summary>
public sealed partial class GrafanaDashboardTests
{
    [Fact]
    public void Every_query_of_the_grafana_dashboard_names_a_family_of_the_readme_metrics_table()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var section = readme[readme.IndexOf("### Metrics", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n### ", 5, StringComparison.Ordinal)];
        var documented = section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => Family().Matches(l.Split('|')[1]).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("runner_box_slots_free", documented);

        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "grafana", "runner-dashboard.json")));
        var queried = new List<string>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row"))
        {
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            foreach (var target in targets)
            {
                Assert.Equal("${datasource}", target.GetProperty("datasource").GetProperty("uid").GetString());
                queried.AddRange(Family().Matches(target.GetProperty("expr").GetString()!).Select(m => HistogramSeries().Replace(m.Value, "")));
            }
        }
        Assert.NotEmpty(queried);
        Assert.All(queried, family => Assert.Contains(family, documented));
    }

    [GeneratedRegex(@"\b(runner|http_server)_[a-z_]+")]
    private static partial Regex Family();

    [GeneratedRegex("_(bucket|count|sum)$")]
    private static partial Regex HistogramSeries();
}
