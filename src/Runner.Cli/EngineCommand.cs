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
        var values = CommandOptions.Parse(args, ["--socket", "--warm-boxes"], [], out _, out var help);
        if (help)
        {
            HelpText.Write(context.Out);
            return ExitCodes.Ok;
        }
        var socket = values.TryGetValue("--socket", out var path) ? CommandOptions.HostPath("--socket", path, context.CurrentDirectory) : null;
        int? warm = null;
        if (values.TryGetValue("--warm-boxes", out var text))
            warm = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= MaxWarmBoxes
                ? count
                : throw new CliUsageException("--warm-boxes", $"expected a whole number from 1 to {MaxWarmBoxes}, got '{text}'");

        var options = EnvironmentOptions.Read(context.GetEnvironmentVariable) with { WarmBoxes = warm ?? Environment.ProcessorCount };
        var defaultSocket = EngineProtocol.DefaultSocket(options);
        if (socket is null)
        {
            PrepareStateDirectory(options);
            socket = defaultSocket;
        }
        using (var server = EngineServer.Start(socket, options))
        {
            context.Error.Write($"runner engine: listening on {server.SocketPath} with {options.WarmBoxes} warm box(es); 'runner run' uses it"
                + $"{(socket == defaultSocket ? "" : $" with {EngineClient.Variable}={socket}")}. Stop with SIGINT or SIGTERM.\n");
            context.Error.Flush();
            context.Cancellation.WaitHandle.WaitOne();
        }
        context.Error.Write("runner engine: stopped; every box is torn down\n");
        return ExitCodes.Ok;
    }

    // As many as SandboxOptions.WarmBoxes allows per host.
    private const int MaxWarmBoxes = 64;

    /// <summary>The default socket's directory, made and checked as every box's launch does.</summary>
    private static void PrepareStateDirectory(SandboxOptions options)
    {
        try
        {
            Box.PrepareStateDirectory(options);
        }
        catch (IOException e)
        {
            throw new CliUsageException(EnvironmentOptions.StateDir, e.Message);
        }
    }
}
