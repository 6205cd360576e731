using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Runner.Api.Judging;
using Runner.Api.Storage;
using Runner.Sandbox;

namespace Runner.Api.Compat.Judge0;

/// <summary>
/// A submission as Judge0 CE 1.13.1's SubmissionSerializer writes it: the requested fields only,
/// text either as UTF-8 or, with base64_encoded=true, as base64 of the raw bytes.
/// </summary>
public static class Judge0View
{
    /// <summary>fields=*: exactly 1.13.1's keys, in its serializer's order. The SDK refuses any other key.</summary>
    public static readonly IReadOnlyList<string> AllFields =
    [
        "source_code", "language_id", "stdin", "expected_output", "stdout", "status_id", "created_at", "finished_at", "time",
        "memory", "stderr", "token", "number_of_runs", "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit",
        "stack_limit", "max_processes_and_or_threads", "enable_per_process_and_thread_time_limit",
        "enable_per_process_and_thread_memory_limit", "max_file_size", "compile_output", "exit_code", "exit_signal", "message",
        "wall_time", "compiler_options", "command_line_arguments", "redirect_stderr_to_stdout", "callback_url",
        "additional_files", "enable_network", "status", "language",
    ];

    public static readonly IReadOnlyList<string> DefaultFields = ["token", "time", "memory", "stdout", "stderr", "compile_output", "message", "status"];

    /// <summary>The fields asked for, or the invalid names (400 "invalid fields: [a, b]").</summary>
    public static IReadOnlyList<string> ParseFields(string? fields, out IReadOnlyList<string> invalid)
    {
        invalid = [];
        if (string.IsNullOrWhiteSpace(fields)) return DefaultFields;
        var names = fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Contains("*")) return AllFields;
        invalid = names.Where(n => !AllFields.Contains(n)).ToList();
        return names.Distinct().ToList();
    }

    public static string InvalidFields(IReadOnlyList<string> invalid) => $"invalid fields: [{string.Join(", ", invalid)}]";

    /// <summary>Null when a requested text field is not valid UTF-8 and base64 was not asked for.</summary>
    public static JsonObject? Render(SubmissionRecord record, IReadOnlyList<string> fields, bool base64)
    {
        var settings = Judge0SubmissionReader.Settings(record)!;
        var execution = record.Input.Execution!;
        var outcome = Judge0Status.Of(record, settings);
        var result = record.Status == Contracts.SubmissionStatus.Finished ? record.Result?.Execution : null;
        var run = result?.Run;
        var ran = run is not null;

        byte[]? Stdout() => run is null ? null
            : settings.RedirectStderrToStdout ? run.Output() : run.Stdout;
        byte[]? Stderr() => run is null || settings.RedirectStderrToStdout ? null : run.Stderr;
        byte[]? CompileOutput()
        {
            if (result?.Compile is not { } c) return null;
            if (c.Status is SandboxStatus.TimeLimit or SandboxStatus.WallTimeLimit) return Encoding.UTF8.GetBytes("Compilation time limit exceeded.");
            return c.Output();
        }

        var unconvertible = false;
        var o = new JsonObject();
        foreach (var field in AllFields.Where(fields.Contains))
        {
            JsonNode? value;
            switch (field)
            {
                case "source_code": value = Text(execution.Source); break;
                case "language_id": value = settings.LanguageId; break;
                case "stdin": value = settings.StdinGiven ? Text(execution.Stdin) : null; break;
                case "expected_output": value = execution.ExpectedOutput is { } e ? Text(e) : null; break;
                case "stdout": value = Text(Stdout()); break;
                case "status_id": value = outcome.Id; break;
                case "created_at": value = Date(record.CreatedAt); break;
                case "finished_at": value = record.FinishedAt is { } f ? Date(f) : null; break;
                case "time": value = ran ? Decimal(result!.AverageCpuTime) : null; break;
                case "wall_time": value = ran ? Decimal(result!.AverageWallTime) : null; break;
                case "memory": value = ran && result!.AverageMemoryPeak is { } m ? (int)(m / 1024) : null; break;
                case "stderr": value = Text(Stderr()); break;
                case "token": value = record.Id.ToString(); break;
                case "number_of_runs": value = settings.NumberOfRuns; break;
                case "cpu_time_limit": value = Decimal(settings.CpuTimeLimit); break;
                case "cpu_extra_time": value = Decimal(settings.CpuExtraTime); break;
                case "wall_time_limit": value = Decimal(settings.WallTimeLimit); break;
                case "memory_limit": value = settings.MemoryLimit; break;
                case "stack_limit": value = settings.StackLimit; break;
                case "max_processes_and_or_threads": value = settings.MaxProcessesAndOrThreads; break;
                case "enable_per_process_and_thread_time_limit": value = false; break;
                case "enable_per_process_and_thread_memory_limit": value = false; break;
                case "max_file_size": value = settings.MaxFileSize; break;
                case "compile_output": value = Text(CompileOutput()); break;
                case "exit_code": value = outcome.ExitCode; break;
                case "exit_signal": value = outcome.ExitSignal; break;
                case "message": value = Text(outcome.Message is null ? null : Encoding.UTF8.GetBytes(outcome.Message)); break;
                case "compiler_options": value = settings.CompilerOptions; break;
                case "command_line_arguments": value = settings.CommandLineArguments; break;
                case "redirect_stderr_to_stdout": value = settings.RedirectStderrToStdout; break;
                case "callback_url": value = settings.CallbackUrl; break;
                case "additional_files": value = null; break;
                case "enable_network": value = false; break;
                case "status": value = new JsonObject { ["id"] = outcome.Id, ["description"] = Judge0Status.Describe(outcome.Id) }; break;
                case "language": value = new JsonObject { ["id"] = settings.LanguageId, ["name"] = settings.LanguageName }; break;
                default: continue;
            }
            o[field] = value;
        }
        return unconvertible ? null : o;

        // Null when empty; base64 of the raw bytes, or the text when it is valid UTF-8.
        JsonNode? Text(byte[]? bytes)
        {
            if (bytes is null || bytes.Length == 0) return null;
            if (base64) return RubyBase64.Encode(bytes);
            if (Utf8(bytes) is { } s) return s;
            unconvertible = true;
            return null;
        }
    }

    /// <summary>Judge0's callback body (PUT): the default fields, always base64; null for other submissions.</summary>
    public static string? CallbackBody(SubmissionRecord record) =>
        Judge0SubmissionReader.Settings(record) is null ? null : Render(record, DefaultFields, base64: true)!.ToJsonString();

    private static readonly UTF8Encoding Strict = new(false, true);

    private static string? Utf8(byte[] bytes)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Rails' decimal: at least one fractional digit ("1.0", "0.002").</summary>
    public static string Decimal(double seconds) => Math.Round(seconds, 3).ToString("0.0##", CultureInfo.InvariantCulture);

    /// <summary>Rails' JSON time: UTC, milliseconds, a literal Z (the SDK's strptime needs exactly this shape).</summary>
    public static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
