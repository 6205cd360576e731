using System.Text.RegularExpressions;

namespace Runner.CgroupV2.Tests;

/// <summary>The summary line guest/forkbomb.c prints.</summary>
internal sealed partial record ForkBombReport(long Succeeded, long Failed)
{
    public static ForkBombReport? Parse(string text)
    {
        var m = Line().Match(text);
        return m.Success
            ? new ForkBombReport(long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))
            : null;
    }

    [GeneratedRegex(@"forks_ok=(\d+) forks_failed=(\d+)")]
    private static partial Regex Line();
}
