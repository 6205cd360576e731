namespace Runner.Cli;

/// <summary>
/// Options of the commands that take only options (<c>runner judge</c>, <c>languages</c>,
/// <c>engine</c>), spelled as <c>runner run</c>'s are: <c>--name VALUE</c> or <c>--name=VALUE</c>,
/// switches without a value, nothing given twice, <c>-h</c>/<c>--help</c> anywhere.
/// </summary>
internal static class CommandOptions
{
    /// <summary>A host path given on the command line, resolved against the current directory.</summary>
    public static string HostPath(string option, string value, string currentDirectory)
    {
        if (value.Length == 0 || value.Contains('\0')) throw new CliUsageException(option, "expected a path");
        return Path.GetFullPath(value, currentDirectory);
    }

    public static Dictionary<string, string> Parse(IReadOnlyList<string> args, string[] valued, string[] switches,
        out HashSet<string> flags, out bool help)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        flags = new HashSet<string>(StringComparer.Ordinal);
        help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                help = true;
                return values;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new CliUsageException(arg, "unexpected argument");
            var eq = arg.IndexOf('=');
            var name = eq < 0 ? arg : arg[..eq];
            if (switches.Contains(name))
            {
                if (eq >= 0) throw new CliUsageException(name, "takes no value");
                if (!flags.Add(name)) throw new CliUsageException(name, "given more than once");
                continue;
            }
            if (!valued.Contains(name)) throw new CliUsageException(name, "unknown option");
            string value;
            if (eq >= 0) value = arg[(eq + 1)..];
            else if (i + 1 < args.Count) value = args[++i];
            else throw new CliUsageException(name, "missing value");
            if (!values.TryAdd(name, value)) throw new CliUsageException(name, "given more than once");
        }
        return values;
    }
}
