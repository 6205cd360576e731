namespace Runner.Cli;

/// <summary><c>runner languages [--json]</c>: every configured language, whether its toolchain runs in a box, and its version.</summary>
internal static class LanguagesCommand
{
    public static int Execute(IReadOnlyList<string> args, CliContext context)
    {
        var (json, rootfs, languages, help) = JudgeOptionsParser.ParseLanguages(args, context.CurrentDirectory);
        if (help)
        {
            HelpText.Write(context.Out);
            return ExitCodes.Ok;
        }
        var catalog = JudgeCommand.LoadCatalog(languages, context);
        var infos = catalog.Detect(EnvironmentOptions.Read(context.GetEnvironmentVariable), rootfs, context.Cancellation);
        if (json)
        {
            JudgeJson.Write(context.Out, infos);
            return ExitCodes.Ok;
        }
        using var w = new StreamWriter(context.Out, CliMain.Utf8, leaveOpen: true) { NewLine = "\n" };
        var idWidth = Math.Max(2, infos.Max(i => i.Id.Length));
        var nameWidth = Math.Max(4, infos.Max(i => i.Name.Length));
        w.WriteLine($"{"ID".PadRight(idWidth)}  {"NAME".PadRight(nameWidth)}  VERSION");
        foreach (var i in infos)
            w.WriteLine($"{i.Id.PadRight(idWidth)}  {i.Name.PadRight(nameWidth)}  {(i.Available ? i.Version : "unavailable: " + CliMain.OneLine(i.Problem ?? ""))}");
        return ExitCodes.Ok;
    }
}
