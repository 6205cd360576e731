using System.Text.RegularExpressions;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Deployment;

/// <summary>api/examples.http runs top to bottom against a fresh server: no request depends on an id nobody created.</summary>
public sealed partial class ExamplesTests
{
    [Fact]
    public void Examples_poll_the_location_of_an_earlier_named_request_not_a_made_up_id()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "api", "examples.http"));
        Assert.False(Uuid().IsMatch(text), "examples.http names a fixed submission id, which a fresh server answers with 404");
        var named = new HashSet<string>();
        foreach (var line in text.Split('\n'))
        {
            if (Name().Match(line) is { Success: true } n) named.Add(n.Groups[1].Value);
            foreach (Match use in Reference().Matches(line))
                Assert.True(named.Contains(use.Groups[1].Value), $"'{line.Trim()}' uses {use.Groups[1].Value}, which no earlier request is named");
            if (line.StartsWith("GET {{base}}/api/v1/submissions", StringComparison.Ordinal))
                Assert.Fail($"'{line.Trim()}' polls a fixed path; poll an earlier request's Location");
        }
        Assert.Equal(2, Reference().Matches(text).Count);
    }

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Uuid();

    [GeneratedRegex(@"^# @name (\S+)")]
    private static partial Regex Name();

    [GeneratedRegex(@"\{\{(\w+)\.response\.headers\.Location\}\}")]
    private static partial Regex Reference();
}
