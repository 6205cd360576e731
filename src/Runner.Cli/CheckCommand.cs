namespace Runner.Cli;

/// <summary><c>runner check</c>: one line per probe on stdout; exit 0 only if a run can work.</summary>
internal static class CheckCommand
{
    public static int Execute(IReadOnlyList<string> args, CliContext context)
    {
        foreach (var arg in args)
        {
            if (arg is "-h" or "--help")
            {
                HelpText.Write(context.Out);
                return ExitCodes.Ok;
            }
            throw new CliUsageException(arg, "unexpected argument; 'runner check' takes none");
        }

        var options = EnvironmentOptions.Read(context.GetEnvironmentVariable);
        var report = context.CheckHost(options);
        using var output = new StreamWriter(context.Out, CliMain.Utf8, leaveOpen: true) { NewLine = "\n" };
        foreach (var item in report.Items)
            output.WriteLine($"{(item.Ok ? "ok  " : "FAIL")} {item.Name}: {CliMain.OneLine(item.Detail)}");
        return report.CanRun ? ExitCodes.Ok : ExitCodes.ProgramFailed;
    }
}
