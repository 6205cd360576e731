using System.Text;

namespace Runner.Sandbox.Cgroups.V1;

/// <summary>
/// Where each cgroup v1 controller is mounted, from mountinfo: distributions mount them in
/// different places and co-mount some (cpu,cpuacct), so paths are never guessed.
/// </summary>
internal static class CgroupV1Mounts
{
    public static readonly string[] Known = ["memory", "cpu", "cpuacct", "pids", "cpuset"];

    /// <summary>
    /// Maps each known controller to its mount point under <paramref name="root"/>. Mounts
    /// elsewhere are ignored so that CgroupRoot decides which hierarchy Runner writes to.
    /// </summary>
    public static Dictionary<string, string> ParseV1(IEnumerable<string> mountInfoLines, string root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var prefix = root.TrimEnd('/') + "/";
        foreach (var line in mountInfoLines)
        {
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
            {
                continue;
            }

            var before = line[..separator].Split(' ');
            var after = line[(separator + 3)..].Split(' ');
            if (before.Length < 5 || after.Length < 3 || after[0] != "cgroup")
            {
                continue;
            }

            var mountPoint = Unescape(before[4]);
            if (!mountPoint.StartsWith(prefix, StringComparison.Ordinal) && mountPoint != prefix.TrimEnd('/'))
            {
                continue;
            }

            foreach (var option in after[2].Split(','))
            {
                if (Array.IndexOf(Known, option) >= 0)
                {
                    result.TryAdd(option, mountPoint);
                }
            }
        }

        return result;
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }

        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                sb.Append((char)(((field[i + 1] - '0') * 64) + ((field[i + 2] - '0') * 8) + (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }

        return sb.ToString();
    }

    private static bool IsOctal(string s, int at) =>
        at + 2 < s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
}
