using System.Runtime.InteropServices;
using System.Text;
using Runner.Sandbox;

namespace Runner.Cli;

internal static class CliMain
{
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static int Run(string[] args)
    {
        // One box, then exit: its teardown runs at the drain below, after the result is out,
        // with no engine thread started for it.
        if (args is ["run", ..]) Box.TeardownsInBackground = false;
        using var cancel = new CancellationTokenSource();
        // The first SIGINT/SIGTERM asks the engine to kill and clean up the box; a second one
        // falls through to the default action, so a stuck teardown can still be interrupted.
        void OnSignal(PosixSignalContext signal)
        {
            if (cancel.IsCancellationRequested) return;
            signal.Cancel = true;
            cancel.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var stdout = Console.OpenStandardOutput();
        var context = new CliContext
        {
            Out = stdout,
            Error = Console.Error,
            ErrorIsTerminal = !Console.IsErrorRedirected,
            UseEngine = true,
            Cancellation = cancel.Token,
        };
        return Run(args, context);
    }

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var teardownFailures = Box.TeardownFailures;
        try
        {
            return Dispatch(args, context);
        }
        catch (CliUsageException e)
        {
            context.Error.Write(OneLine(e.ToLine()) + "\n");
            return ExitCodes.UsageOrInternal;
        }
        catch (Exception e)
        {
            context.Error.Write(OneLine($"runner: internal error: {e.GetType().Name}: {e.Message}") + "\n");
            return ExitCodes.UsageOrInternal;
        }
        finally
        {
            // A box is torn down after its result, which is out by now: runner exits only once
            // nothing it ran is left on the host.
            Box.DrainTeardowns();
            if (Box.TeardownFailures != teardownFailures)
                context.Error.Write(OneLine($"runner: warning: a box was not fully torn down: {Box.LastTeardownFailure}") + "\n");
            context.Error.Flush();
        }
    }

    private static int Dispatch(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0)
            throw new CliUsageException(null, "missing command; try 'runner --help'");
        var rest = args.Skip(1).ToArray();
        switch (args[0])
        {
            case "run":
                return RunCommand.Execute(rest, context);
            case "check":
                return CheckCommand.Execute(rest, context);
            case "judge":
                return JudgeCommand.Execute(rest, context);
            case "languages":
                return LanguagesCommand.Execute(rest, context);
            case "setup":
                return SetupCommand.Execute(rest, context);
            case "engine":
                return EngineCommand.Execute(rest, context);
            case "-h" or "--help" or "help":
                HelpText.Write(context.Out);
                return ExitCodes.Ok;
            case "--version":
                using (var writer = new StreamWriter(context.Out, Utf8, leaveOpen: true) { NewLine = "\n" })
                    writer.WriteLine($"runner {HelpText.Version}");
                return ExitCodes.Ok;
            default:
                throw args[0].StartsWith('-')
                    ? new CliUsageException(args[0], "unknown option; try 'runner --help'")
                    : new CliUsageException(args[0], "unknown command; expected 'run', 'judge', 'languages', 'check', 'setup' or 'engine'");
        }
    }

    /// <summary>Error output is one line per event so scripts can read it with a single readline.</summary>
    public static string OneLine(string text) =>
        text.ReplaceLineEndings(" ").Trim();
}
