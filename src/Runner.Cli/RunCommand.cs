using System.Globalization;
using System.Text;
using Runner.Sandbox;
using Runner.Sandbox.Json;

namespace Runner.Cli;

/// <summary><c>runner run [options] -- PROGRAM [ARGS...]</c></summary>
internal static class RunCommand
{
    public static int Execute(IReadOnlyList<string> args, CliContext context)
    {
        var request = RunOptionsParser.Parse(args, context.CurrentDirectory);
        if (request.Help || request.Spec is null)
        {
            HelpText.Write(context.Out);
            return ExitCodes.Ok;
        }

        var options = EnvironmentOptions.Read(context.GetEnvironmentVariable);
        var engine = context.UseEngine ? EngineClient.Find(context.GetEnvironmentVariable, options) : null;
        var spec = request.Spec;
        SandboxResult result;
        try
        {
            // Validating here as well as in the engine keeps bad values a usage error (exit 2,
            // no JSON) even if an engine build were to report them as an internal error.
            spec.Validate();
            result = (engine is null ? null : EngineClient.Run(engine, spec, options, context.Cancellation))
                ?? context.RunSandbox(spec, options, context.Cancellation);
        }
        catch (SandboxSpecException e)
        {
            throw new CliUsageException(OptionForField(e.Field), e.Message);
        }
        catch (OperationCanceledException)
        {
            result = Failure("interrupted before the run finished");
        }
        catch (Exception e) when (e is not CliUsageException)
        {
            // The engine reports run faults in its result; anything thrown is a bug or a missing
            // piece, and scripts using --json still deserve one JSON object for it.
            result = Failure($"{e.GetType().Name}: {e.Message}");
        }

        if (result.ProgramError is { } notRunnable)
            throw new CliUsageException("PROGRAM", notRunnable);

        if (request.Json)
            ResultJson.Write(context.Out, result);
        else
            WritePlain(result, context);
        return ExitCodes.For(result.Status);
    }

    private static SandboxResult Failure(string message) =>
        new() { Status = SandboxStatus.InternalError, Message = message };

    private static void WritePlain(SandboxResult result, CliContext context)
    {
        var stdout = result.StdoutBytes.Length > 0 || result.Stdout.Length == 0
            ? result.StdoutBytes
            : Encoding.UTF8.GetBytes(result.Stdout);
        context.Out.Write(stdout);
        context.Out.Flush();

        context.Error.Write(result.Stderr);
        if (result.Stderr.Length > 0 && !result.Stderr.EndsWith('\n'))
            context.Error.Write('\n');
        context.Error.Write(SummaryLine(result));
        context.Error.Write('\n');
        context.Error.Flush();
    }

    /// <summary>One line so that <c>tail -n1</c> of stderr is always the verdict.</summary>
    public static string SummaryLine(SandboxResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var line = new StringBuilder("runner: status=")
            .Append(r.Status.Name())
            .Append(c, $" cpu={r.CpuTime:0.000}s wall={r.WallTime:0.000}s mem=")
            .Append(r.MemoryPeak is { } m ? ByteSize.Format(m) : "-")
            .Append(" exit=").Append(r.ExitCode?.ToString(c) ?? "-")
            .Append(" signal=").Append(r.Signal?.ToString(c) ?? "-");
        if (r.StdoutTruncated) line.Append(" stdout=truncated");
        if (r.StderrTruncated) line.Append(" stderr=truncated");
        var message = CliMain.OneLine(r.Message);
        if (message.Length > 0) line.Append(" (").Append(message).Append(')');
        return line.ToString();
    }

    /// <summary>Engine field names to the flags a CLI user typed.</summary>
    public static string OptionForField(string field) => field switch
    {
        "argv" => "PROGRAM",
        "tmpfs" => "--tmpfs-size",
        "work_dir" => "--workdir",
        "stdin_path" => "--stdin",
        "rootfs_path" => "--rootfs",
        _ => "--" + field.Replace('_', '-'),
    };
}
