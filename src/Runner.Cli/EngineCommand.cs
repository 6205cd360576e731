using System.Globalization;
using Runner.Sandbox;

namespace Runner.Cli;

/// <summary>
/// <c>runner engine [--socket PATH] [--warm-boxes N]</c>: stays resident with boxes prepared
/// ahead and serves <c>runner run</c> from them until SIGINT or SIGTERM, so a one-shot run skips
/// making its box (see <see cref="EngineServer"/>).
/// </summary>
internal static class EngineCommand
{
    public static int Execute(IReadOnlyList<string> args, CliContext context)
    {
        string? socket = null;
        int? warm = null;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (args[i], null);
            string Value() => inline ?? (++i < args.Count ? args[i] : throw new CliUsageException(name, "expected a value"));
            switch (name)
            {
                case "-h" or "--help":
                    HelpText.Write(context.Out);
                    return ExitCodes.Ok;
                case "--socket" when socket is null:
                    socket = Value();
                    if (!Path.IsPathRooted(socket)) socket = Path.GetFullPath(socket, context.CurrentDirectory);
                    break;
                case "--warm-boxes" when warm is null:
                    var text = Value();
                    warm = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= MaxWarmBoxes
                        ? count
                        : throw new CliUsageException(name, $"expected a whole number from 1 to {MaxWarmBoxes}, got '{text}'");
                    break;
                case "--socket" or "--warm-boxes":
                    throw new CliUsageException(name, "given more than once");
                default:
                    throw new CliUsageException(args[i], "unexpected argument; 'runner engine' takes [--socket PATH] [--warm-boxes N]");
            }
        }

        var options = EnvironmentOptions.Read(context.GetEnvironmentVariable) with { WarmBoxes = warm ?? Environment.ProcessorCount };
        socket ??= Path.Combine(StateDirectory(options), EngineProtocol.SocketName);
        using (var server = EngineServer.Start(socket, options))
        {
            context.Error.Write($"runner engine: listening on {server.SocketPath} with {options.WarmBoxes} warm box(es); 'runner run' uses it"
                + $"{(socket == DefaultSocket(options) ? "" : $" with {EngineClient.Variable}={socket}")}. Stop with SIGINT or SIGTERM.\n");
            context.Error.Flush();
            context.Cancellation.WaitHandle.WaitOne();
        }
        context.Error.Write("runner engine: stopped; every box is torn down\n");
        return ExitCodes.Ok;
    }

    // As many as SandboxOptions.WarmBoxes allows per host.
    private const int MaxWarmBoxes = 64;

    private static string DefaultSocket(SandboxOptions options) => Path.Combine(Box.StateDirectoryOf(options), EngineProtocol.SocketName);

    private static string StateDirectory(SandboxOptions options)
    {
        try
        {
            return Box.StateDirectoryOf(options, prepare: true);
        }
        catch (IOException e)
        {
            throw new CliUsageException(EnvironmentOptions.StateDir, e.Message);
        }
    }
}
