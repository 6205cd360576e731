using System.Globalization;
using Runner.Sandbox;

namespace Runner.Cli;

/// <summary>
/// Turns the arguments after <c>runner run</c> into a <see cref="SandboxSpec"/>. Pure apart from
/// resolving relative host paths against the given directory; range checks are left to
/// <see cref="SandboxSpec.Validate"/> so the CLI and the API reject the same values.
/// </summary>
internal static class RunOptionsParser
{
    public static RunCommandLine Parse(IReadOnlyList<string> args, string currentDirectory)
    {
        var limits = new SandboxLimits();
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var binds = new List<BindMount>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? stdin = null, workdir = null, rootfs = null;
        string seccomp = "default", hostname = "sandbox";
        var json = false;

        var i = 0;
        for (; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
                break;
            if (arg is "-h" or "--help")
                return new RunCommandLine(null, json, Help: true);
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw arg.StartsWith('-')
                    ? new CliUsageException(arg, "unknown option")
                    : new CliUsageException(arg, "unexpected argument; put the program after '--'");
            }

            var eq = arg.IndexOf('=');
            var name = eq < 0 ? arg : arg[..eq];
            string? inline = eq < 0 ? null : arg[(eq + 1)..];

            if (!IsRepeatable(name) && IsKnown(name) && !seen.Add(name))
                throw new CliUsageException(name, "given more than once");

            if (name == "--json")
            {
                if (inline is not null)
                    throw new CliUsageException(name, "takes no value");
                json = true;
                continue;
            }
            if (!IsKnown(name))
                throw new CliUsageException(name, "unknown option");

            string value;
            if (inline is not null)
                value = inline;
            else if (i + 1 < args.Count && args[i + 1] != "--")
                value = args[++i];
            else
                throw new CliUsageException(name, "missing value");

            switch (name)
            {
                case "--time": limits = limits with { CpuTimeSeconds = Seconds(name, value) }; break;
                case "--wall-time": limits = limits with { WallTimeSeconds = Seconds(name, value) }; break;
                case "--memory": limits = limits with { MemoryBytes = Size(name, value) }; break;
                case "--pids": limits = limits with { Pids = Count(name, value) }; break;
                case "--fsize": limits = limits with { FileSizeBytes = Size(name, value) }; break;
                case "--output-limit": limits = limits with { OutputBytes = Size(name, value) }; break;
                case "--open-files": limits = limits with { OpenFiles = Count(name, value) }; break;
                case "--stack": limits = limits with { StackBytes = Size(name, value) }; break;
                case "--tmpfs-size": limits = limits with { TmpfsBytes = Size(name, value) }; break;
                case "--cpuset": limits = limits with { Cpuset = Cpuset(name, value) }; break;
                case "--stdin": stdin = CommandOptions.HostPath(name, value, currentDirectory); break;
                case "--workdir": workdir = CommandOptions.HostPath(name, value, currentDirectory); break;
                case "--rootfs": rootfs = CommandOptions.HostPath(name, value, currentDirectory); break;
                case "--bind": binds.Add(Bind(name, value, currentDirectory)); break;
                case "--env": AddEnv(env, name, value); break;
                case "--hostname": hostname = value; break;
                case "--seccomp":
                    seccomp = value is "default" or "none" ? value : CommandOptions.HostPath(name, value, currentDirectory);
                    break;
            }
        }

        if (i >= args.Count)
            throw new CliUsageException("--", "expected '-- PROGRAM [ARGS...]' after the options");
        var argv = args.Skip(i + 1).ToArray();
        if (argv.Length == 0 || argv[0].Length == 0)
            throw new CliUsageException("--", "expected a program after '--'");

        var spec = new SandboxSpec
        {
            Argv = argv,
            Environment = env,
            Limits = limits,
            StdinPath = stdin,
            WorkDir = workdir,
            Binds = binds,
            Seccomp = seccomp,
            Hostname = hostname,
            RootfsPath = rootfs,
        };
        return new RunCommandLine(spec, json);
    }

    private static bool IsRepeatable(string name) => name is "--bind" or "--env";

    private static bool IsKnown(string name) => name is "--json" or "--time" or "--wall-time" or "--memory"
        or "--pids" or "--fsize" or "--output-limit" or "--open-files" or "--stack" or "--tmpfs-size"
        or "--cpuset" or "--stdin" or "--workdir" or "--rootfs" or "--bind" or "--env" or "--hostname"
        or "--seccomp";

    /// <summary>
    /// Positive plain decimals only: no sign, exponent or thousands separators, so "1,5" or
    /// "1e3" fail loudly instead of meaning something else in some locale.
    /// </summary>
    private static double Seconds(string option, string value)
    {
        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s)
            && s > 0 && double.IsFinite(s))
            return s;
        throw new CliUsageException(option, $"expected a positive number of seconds like 1 or 0.5, got '{value}'");
    }

    private static long Size(string option, string value)
    {
        try
        {
            return ByteSize.Parse(value);
        }
        catch (OverflowException)
        {
            throw new CliUsageException(option, $"size is too large: '{value}'");
        }
        catch (FormatException) when (value.Contains('.') && ByteSize.TryParse(value.Replace(".", ""), out _))
        {
            throw new CliUsageException(option, $"fractional sizes are not accepted, got '{value}'; use a smaller unit such as K");
        }
        catch (FormatException)
        {
            throw new CliUsageException(option, $"expected a size like 256M or 1G, got '{value}'");
        }
    }

    private static int Count(string option, string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return n;
        throw new CliUsageException(option, $"expected a whole number, got '{value}'");
    }

    private static string Cpuset(string option, string value)
    {
        // cpuset.cpus syntax; checked here because the kernel's EINVAL would surface only mid-launch.
        if (value.Length > 0 && value.All(c => char.IsAsciiDigit(c) || c is ',' or '-'))
            return value;
        throw new CliUsageException(option, $"expected CPU numbers and ranges like 1 or 0-3,6, got '{value}'");
    }

    private static BindMount Bind(string option, string value, string currentDirectory)
    {
        BindMount bind;
        try
        {
            bind = BindMount.Parse(value);
        }
        catch (SandboxSpecException e)
        {
            throw new CliUsageException(option, e.Message);
        }
        var source = CommandOptions.HostPath(option, bind.Source, currentDirectory);
        // An omitted DST means "the same path inside", which must be the resolved SRC.
        var target = bind.Target == bind.Source ? source : bind.Target;
        return bind with { Source = source, Target = target };
    }

    private static void AddEnv(Dictionary<string, string> env, string option, string value)
    {
        var eq = value.IndexOf('=');
        if (eq <= 0)
            throw new CliUsageException(option, $"expected NAME=VALUE, got '{value}'");
        env[value[..eq]] = value[(eq + 1)..];
    }
}
