using System.Globalization;
using Runner.Judge;
using Runner.Judge.Checking;
using Runner.Sandbox;

namespace Runner.Cli;

/// <summary>The arguments after <c>runner judge</c>, before any file is read.</summary>
internal sealed record JudgeArguments(
    string Language, string SourcePath, string TestsPath, SandboxLimits Limits, string Checker,
    bool StopOnFailure, bool Json, string? RootfsPath, string? LanguagesPath, bool Help = false, string? Interactor = null);

/// <summary>Parses <c>runner judge</c> and <c>runner languages</c> options; the same spelling rules as <c>runner run</c>.</summary>
internal static class JudgeOptionsParser
{
    public static JudgeArguments ParseJudge(IReadOnlyList<string> args, string currentDirectory)
    {
        var values = CommandOptions.Parse(args, ["--language", "--source", "--tests", "--time", "--wall-time", "--memory", "--output-limit",
            "--checker", "--interactor", "--rootfs", "--languages"], ["--json", "--stop-on-failure"], out var flags, out var help);
        if (help) return new JudgeArguments("", "", "", JudgeDefaults.RunLimits, "lines", false, false, null, null, Help: true);
        string Required(string name) => values.TryGetValue(name, out var v) ? v
            : throw new CliUsageException(name, "is required; try 'runner judge --help'");

        var limits = JudgeDefaults.RunLimits;
        if (values.TryGetValue("--time", out var time)) limits = limits with { CpuTimeSeconds = Seconds("--time", time) };
        if (values.TryGetValue("--wall-time", out var wall)) limits = limits with { WallTimeSeconds = Seconds("--wall-time", wall) };
        if (values.TryGetValue("--memory", out var memory)) limits = limits with { MemoryBytes = Size("--memory", memory) };
        if (values.TryGetValue("--output-limit", out var output)) limits = limits with { OutputBytes = Size("--output-limit", output) };
        var checker = values.GetValueOrDefault("--checker", "lines");
        if (CheckerSpec.TryParseBuiltIn(checker) is null)
        {
            if (checker.StartsWith("float", StringComparison.Ordinal))
                throw new CliUsageException("--checker", $"expected float or float:EPS with a non-negative EPS like 1e-6, got '{checker}'");
            // The user's own spelling in the message: the resolved absolute path is not what they typed.
            if (JudgeCommand.CheckerLanguage(checker) is null)
                throw new CliUsageException("--checker", $"expected exact, lines, tokens, float[:EPS] or a .cpp/.c/.py checker source, got '{checker}'");
            checker = CommandOptions.HostPath("--checker", checker, currentDirectory);
        }
        string? interactor = null;
        if (values.TryGetValue("--interactor", out var given))
        {
            if (JudgeCommand.CheckerLanguage(given) is null)
                throw new CliUsageException("--interactor", $"expected a .cpp/.c/.py interactor source, got '{given}'");
            if (CheckerSpec.TryParseBuiltIn(checker) is null)
                throw new CliUsageException("--interactor", "the interactor decides each test: give no --checker FILE with it");
            interactor = CommandOptions.HostPath("--interactor", given, currentDirectory);
        }
        return new JudgeArguments(
            Required("--language"),
            CommandOptions.HostPath("--source", Required("--source"), currentDirectory),
            CommandOptions.HostPath("--tests", Required("--tests"), currentDirectory),
            limits,
            checker,
            flags.Contains("--stop-on-failure"),
            flags.Contains("--json"),
            values.TryGetValue("--rootfs", out var rootfs) ? CommandOptions.HostPath("--rootfs", rootfs, currentDirectory) : null,
            values.TryGetValue("--languages", out var languages) ? CommandOptions.HostPath("--languages", languages, currentDirectory) : null,
            Interactor: interactor);
    }

    public static (bool Json, string? RootfsPath, string? LanguagesPath, bool Help) ParseLanguages(
        IReadOnlyList<string> args, string currentDirectory)
    {
        var values = CommandOptions.Parse(args, ["--rootfs", "--languages"], ["--json"], out var flags, out var help);
        return (flags.Contains("--json"),
            values.TryGetValue("--rootfs", out var rootfs) ? CommandOptions.HostPath("--rootfs", rootfs, currentDirectory) : null,
            values.TryGetValue("--languages", out var languages) ? CommandOptions.HostPath("--languages", languages, currentDirectory) : null,
            help);
    }

    private static double Seconds(string option, string value)
    {
        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s)
            && s > 0 && double.IsFinite(s))
            return s;
        throw new CliUsageException(option, $"expected a positive number of seconds like 1 or 0.5, got '{value}'");
    }

    private static long Size(string option, string value) =>
        ByteSize.TryParse(value, out var bytes) ? bytes
            : throw new CliUsageException(option, $"expected a size like 256M or 1G, got '{value}'");
}
