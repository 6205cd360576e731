using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Runner.Api.Callbacks;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Judging;
using Runner.Api.Storage;
using Runner.Judge.Checking;

namespace Runner.Api.Compat.Judge0;

/// <summary>
/// Turns a Judge0 submission body into a stored submission, or into Judge0's 422 body
/// (<c>{field: [message]}</c>, Rails' messages). Unknown keys are ignored, as Rails'
/// <c>params.permit</c> drops them.
/// </summary>
public sealed class Judge0SubmissionReader(CompatLanguages languages, CallbackPolicy callbacks, IOptions<RunnerOptions> options, TimeProvider clock)
{
    public Judge0Limits Limits => Judge0Limits.For(options.Value.Limits);

    /// <summary>The stored submission, or null with <paramref name="errors"/> filled.</summary>
    public SubmissionRecord? Read(JsonNode? node, bool base64, out Dictionary<string, List<string>> errors)
    {
        errors = [];
        var e = errors;
        void Add(string field, string message)
        {
            if (!e.TryGetValue(field, out var list)) e[field] = list = [];
            list.Add(message);
        }
        var body = node as JsonObject ?? [];
        var max = Limits;
        var server = options.Value.Limits;

        byte[]? Bytes(string name, bool alwaysBase64 = false)
        {
            var text = RailsCast.Text(body, name);
            if (text is null) return null;
            return base64 || alwaysBase64 ? RubyBase64.Decode(text) : Encoding.UTF8.GetBytes(text);
        }

        var source = Bytes("source_code");
        if (source is null || Encoding.UTF8.GetString(source).Trim().Length == 0) Add("source_code", "can't be blank");
        else if (source.Length > server.MaxSourceBytes) Add("source_code", $"is too long (maximum is {server.MaxSourceBytes} characters)");

        var languageId = RailsCast.Integer(body, "language_id");
        CompatLanguages.Live? language = null;
        if (languageId is null) Add("language_id", "can't be blank");
        else language = languages.ByJudge0Id((int)languageId, includeHidden: true);
        if (language is null) Add("language_id", $"language with id {languageId} doesn't exist");

        var compilerOptions = RailsCast.Text(body, "compiler_options");
        if (compilerOptions is { Length: > 512 }) Add("compiler_options", "is too long (maximum is 512 characters)");
        if (!string.IsNullOrEmpty(compilerOptions) && language is { Entry.Compiled: false })
            Add("compiler_options", "setting compiler options is only allowed for compiled languages");
        var arguments = RailsCast.Text(body, "command_line_arguments");
        if (arguments is { Length: > 512 }) Add("command_line_arguments", "is too long (maximum is 512 characters)");

        double Float(string name, double fallback, double min, double max)
        {
            var v = RailsCast.Float(body, name) ?? fallback;
            if (v < min) Add(name, $"must be greater than or equal to {RailsCast.Show(min, false)}");
            else if (v > max) Add(name, $"must be less than or equal to {RailsCast.Show(max, true)}");
            return v;
        }
        int Int(string name, int fallback, int min, int max, bool strictlyPositive = false)
        {
            var v = RailsCast.Integer(body, name) ?? fallback;
            if (strictlyPositive && v <= 0) Add(name, "must be greater than 0");
            else if (v < min) Add(name, $"must be greater than or equal to {min}");
            else if (v > max) Add(name, $"must be less than or equal to {max}");
            return (int)Math.Clamp(v, int.MinValue, int.MaxValue);
        }
        var cpu = Float("cpu_time_limit", Judge0Limits.CpuTimeLimit, 0, max.MaxCpuTimeLimit);
        var extra = Float("cpu_extra_time", Judge0Limits.CpuExtraTime, 0, Judge0Limits.MaxCpuExtraTime);
        var wall = Float("wall_time_limit", Judge0Limits.WallTimeLimit, 1, max.MaxWallTimeLimit);
        var memory = Int("memory_limit", Judge0Limits.MemoryLimit, 2048, max.MaxMemoryLimit);
        var stack = Int("stack_limit", Judge0Limits.StackLimit, 0, Judge0Limits.MaxStackLimit);
        var processes = Int("max_processes_and_or_threads", Judge0Limits.MaxProcesses, 1, max.MaxMaxProcesses, strictlyPositive: true);
        var fileSize = Int("max_file_size", Judge0Limits.MaxFileSize, 0, max.MaxMaxFileSize);
        var runs = Int("number_of_runs", Judge0Limits.NumberOfRuns, 1, Judge0Limits.MaxNumberOfRuns, strictlyPositive: true);
        if (cpu == 0) Add("cpu_time_limit", "must be greater than 0");

        if (RailsCast.Boolean(body, "enable_per_process_and_thread_time_limit") == true)
            Add("enable_per_process_and_thread_time_limit", "this option cannot be enabled");
        if (RailsCast.Boolean(body, "enable_per_process_and_thread_memory_limit") == true)
            Add("enable_per_process_and_thread_memory_limit", "this option cannot be enabled");
        if (RailsCast.Boolean(body, "enable_network") == true) Add("enable_network", "enabling network is not allowed");
        if (!string.IsNullOrEmpty(RailsCast.Text(body, "additional_files"))) Add("additional_files", "setting additional files is not allowed");
        var callback = RailsCast.Text(body, "callback_url");
        if (!string.IsNullOrEmpty(callback) && callbacks.Check(callback) is not null) Add("callback_url", "setting callback is not allowed");

        byte[]? stdin, expected;
        try
        {
            stdin = Bytes("stdin");
            expected = Bytes("expected_output");
        }
        catch (FormatException)
        {
            stdin = expected = null;
        }
        if ((stdin?.Length ?? 0) + (expected?.Length ?? 0) > server.MaxTestsBytes)
            Add("stdin", $"is too long (maximum is {server.MaxTestsBytes} characters)");
        if (errors.Count > 0) return null;

        var settings = new Judge0Settings
        {
            LanguageId = (int)languageId!.Value,
            LanguageName = language!.Judge0Name,
            CompilerOptions = compilerOptions,
            CommandLineArguments = arguments,
            StdinGiven = stdin is not null,
            CpuTimeLimit = cpu,
            CpuExtraTime = extra,
            WallTimeLimit = wall,
            MemoryLimit = memory,
            StackLimit = stack,
            MaxProcessesAndOrThreads = processes,
            MaxFileSize = fileSize,
            RedirectStderrToStdout = RailsCast.Boolean(body, "redirect_stderr_to_stdout") ?? false,
            NumberOfRuns = runs,
            CallbackUrl = string.IsNullOrEmpty(callback) ? null : callback,
        };
        var output = (long)fileSize * 1024;
        var execution = new ExecutionInput
        {
            Api = Judge0Api.Name,
            Source = source!,
            Stdin = stdin ?? [],
            CompileArguments = ShellWords.Split(compilerOptions),
            RunArguments = ShellWords.Split(arguments),
            ExtraTime = extra,
            // isolate reads a stack limit of 0 as unlimited; Runner's default is as large as the memory limit.
            StackBytes = stack == 0 ? null : Math.Max(64L << 10, stack * 1024L),
            FileSizeBytes = output,
            Runs = runs,
            ExpectedOutput = expected,
            MergeStderr = settings.RedirectStderrToStdout,
            Origin = JsonSerializer.SerializeToElement(settings, StoreJson.Options),
        };
        var text = Encoding.UTF8.GetString(source!);
        return new SubmissionRecord
        {
            // Judge0 tokens are UUID v4 (its SDK types them so).
            Id = Guid.NewGuid(),
            Status = SubmissionStatus.Queued,
            CreatedAt = clock.GetUtcNow(),
            Input = new JudgeInput
            {
                Language = language.Entry.RunnerId,
                Source = text,
                Tests = [new JudgeTestCase("1", Encoding.UTF8.GetString(stdin ?? []), expected is null ? null : Encoding.UTF8.GetString(expected))],
                Limits = new JudgeLimits(cpu, wall, memory * 1024L, processes, output),
                Checker = new JudgeChecker(CheckerKind.Lines),
                CallbackUrl = settings.CallbackUrl,
                Execution = execution,
            },
        };
    }

    public static Judge0Settings? Settings(SubmissionRecord record) =>
        record.Input.Execution is { Api: Judge0Api.Name, Origin: { } origin } ? origin.Deserialize<Judge0Settings>(StoreJson.Options) : null;
}
