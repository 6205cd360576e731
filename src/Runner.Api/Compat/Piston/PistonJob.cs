using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Judging;
using Runner.Api.Storage;
using Runner.Judge;
using Runner.Judge.Checking;

namespace Runner.Api.Compat.Piston;

/// <summary>
/// A Piston execute body checked in Piston's order with its messages (v2.js get_job), turned
/// into a stored submission. Limits in milliseconds and bytes; -1 (or 0, or absent) memory
/// means Runner's default; above Runner's maxima is Piston's "cannot exceed" error.
/// </summary>
public sealed partial record PistonJob(SubmissionRecord Record, PistonRuntimes.Runtime Runtime)
{
    public static PistonJob? Read(JsonObject body, PistonRuntimes runtimes, LimitOptions server, TimeProvider clock, out string? error)
    {
        error = null;
        if (body["language"] is not JsonValue lv || lv.GetValueKind() != JsonValueKind.String || lv.GetValue<string>().Length == 0)
            return Fail("language is required as a string", out error);
        if (body["version"] is not JsonValue vv || vv.GetValueKind() != JsonValueKind.String || vv.GetValue<string>().Length == 0)
            return Fail("version is required as a string", out error);
        if (body["files"] is not JsonArray files) return Fail("files is required as an array", out error);
        for (var i = 0; i < files.Count; i++)
            if (files[i] is not JsonObject f || f["content"] is not JsonValue c || c.GetValueKind() != JsonValueKind.String)
                return Fail($"files[{i}].content is required as a string", out error);
        var language = lv.GetValue<string>();
        var version = vv.GetValue<string>();
        if (runtimes.Find(language, version) is not { } runtime) return Fail($"{language}-{version} runtime is unknown", out error);

        var decoded = new List<(string Name, byte[] Content, bool Utf8)>();
        for (var i = 0; i < files.Count; i++)
        {
            var f = (JsonObject)files[i]!;
            var name = f["name"] is JsonValue nv && nv.GetValueKind() == JsonValueKind.String ? nv.GetValue<string>() : "";
            if (name.Length == 0) name = $"file{i}.code";
            name = name.TrimStart('/');
            if (name.Split('/').Contains("..")) return Fail($"File path \"{name}\" tries to escape parent directory", out error);
            if (name.Split('/').Any(part => part is "" or "." || part.Contains('\0')))
                return Fail($"files[{i}].name \"{name}\" is not a relative file path", out error);
            if (decoded.Any(d => d.Name == name)) return Fail($"files[{i}].name \"{name}\" is given twice", out error);
            var content = f["content"]!.GetValue<string>();
            var encoding = f["encoding"] is JsonValue ev && ev.GetValueKind() == JsonValueKind.String ? ev.GetValue<string>() : "utf8";
            try
            {
                decoded.Add(encoding switch
                {
                    "base64" => (name, Convert.FromBase64String(content), false),
                    "hex" => (name, Convert.FromHexString(content), false),
                    _ => (name, Encoding.UTF8.GetBytes(content), true),
                });
            }
            catch (FormatException)
            {
                return Fail($"files[{i}].content is not valid {encoding}", out error);
            }
        }
        if (decoded.Sum(f => (long)f.Content.Length) > server.MaxRunFilesBytes)
            return Fail($"files are larger than the server maximum of {server.MaxRunFilesBytes} bytes", out error);
        var main = decoded.FindIndex(f => f.Utf8);
        if (main < 0) return Fail("files must include at least one utf8 encoded file", out error);

        var limits = new Dictionary<string, double?>();
        foreach (var constraint in new[] { "memory_limit", "timeout", "cpu_time" })
            foreach (var stage in new[] { "compile", "run" })
            {
                var name = $"{stage}_{constraint}";
                var node = body[name];
                if (!Truthy(node))
                {
                    limits[name] = null;
                    continue;
                }
                if (node is not JsonValue n || n.GetValueKind() != JsonValueKind.Number) return Fail($"If specified, {name} must be a number", out error);
                var value = n.GetValue<double>();
                var configured = Configured(name, server);
                if (value > configured)
                    return Fail($"{name} cannot exceed the configured limit of {configured.ToString(CultureInfo.InvariantCulture)}", out error);
                if (constraint == "memory_limit" && value == -1) value = 0;
                else if (value < 0) return Fail($"{name} must be non-negative", out error);
                if (constraint == "memory_limit" && value is > 0 and < 1 << 20) return Fail($"{name} must be at least 1048576 (1 MiB)", out error);
                limits[name] = value > 0 ? value : null;
            }

        var stdin = body["stdin"] is JsonValue sv && sv.GetValueKind() == JsonValueKind.String ? sv.GetValue<string>() : "";
        // Piston appends a newline to stdin that lacks one ("" becomes "\n").
        if (!stdin.EndsWith('\n')) stdin += "\n";
        if (Encoding.UTF8.GetByteCount(stdin) > server.MaxTestsBytes)
            return Fail($"stdin is larger than the server maximum of {server.MaxTestsBytes} bytes", out error);
        var args = body["args"] is JsonArray a
            ? a.Select(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : x?.ToJsonString() ?? "").ToList()
            : [];

        var definition = runtime.Live.Definition;
        var source = decoded[main];
        var sourceFile = definition?.Id == "java" ? JavaFile(source.Name, source.Content) : null;
        var run = new JudgeLimits(
            (limits["run_cpu_time"] ?? 3000) / 1000,
            (limits["run_timeout"] ?? 3000) / 1000,
            (long?)limits["run_memory_limit"] ?? server.DefaultMemory,
            server.DefaultPids,
            server.DefaultOutput);
        var execution = new ExecutionInput
        {
            Api = PistonApi.Name,
            Source = source.Content,
            SourceFile = sourceFile,
            Files = decoded.Where((_, i) => i != main).Select(f => new ExecutionInputFile(f.Name, f.Content)).ToList(),
            Stdin = Encoding.UTF8.GetBytes(stdin),
            RunArguments = args,
            CompileTime = (limits["compile_cpu_time"] ?? 10000) / 1000,
            CompileWallTime = (limits["compile_timeout"] ?? 10000) / 1000,
            CompileMemory = (long?)limits["compile_memory_limit"],
        };
        var record = new SubmissionRecord
        {
            Id = Guid.CreateVersion7(),
            Status = SubmissionStatus.Queued,
            CreatedAt = clock.GetUtcNow(),
            Input = new JudgeInput
            {
                Language = runtime.Live.Entry.RunnerId,
                Source = Encoding.UTF8.GetString(source.Content),
                Tests = [new JudgeTestCase("1", stdin, null)],
                Limits = run,
                Checker = new JudgeChecker(CheckerKind.Lines),
                Execution = execution,
            },
        };
        return new PistonJob(record, runtime);
    }

    private static PistonJob? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }

    /// <summary>JavaScript's truthiness, which Piston's checks use: null, false, 0, "" are "not specified".</summary>
    private static bool Truthy(JsonNode? node) => node switch
    {
        null => false,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.Number => v.GetValue<double>() != 0,
            JsonValueKind.String => v.GetValue<string>().Length > 0,
            _ => true,
        },
        _ => true,
    };

    /// <summary>Runner's maxima in Piston's units (ms, bytes).</summary>
    private static double Configured(string name, LimitOptions server) => name switch
    {
        "compile_memory_limit" or "run_memory_limit" => server.MaxMemory,
        "compile_timeout" or "run_timeout" => server.MaxWallTime * 1000,
        _ => server.MaxTime * 1000,
    };

    /// <summary>
    /// Piston runs any class name (java File.java). Runner compiles: the file is named after its
    /// public class (or the name given, when it ends in .java), and that class is run.
    /// </summary>
    private static string? JavaFile(string name, byte[] content)
    {
        if (name.EndsWith(".java", StringComparison.Ordinal) && !name.Contains('/')) return name;
        var m = PublicClass().Match(Encoding.UTF8.GetString(content));
        return m.Success ? m.Groups[1].Value + ".java" : null;
    }

    [GeneratedRegex(@"public\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_$][A-Za-z0-9_$]*)")]
    private static partial Regex PublicClass();
}
