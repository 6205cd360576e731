using System.Globalization;
using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Api.Judging;

namespace Runner.Api.Compat.Judge0;

/// <summary>Judge0's read-only endpoints: languages, statuses and what the server is and allows.</summary>
public static class Judge0Info
{
    /// <summary>The Judge0 release this surface follows; the SDK picks its language table by it.</summary>
    public const string Version = "1.13.1";

    /// <summary>Active languages, sorted by name, with only id and name.</summary>
    internal static IResult Languages(CompatLanguages languages) => CompatHttp.Write(new JsonArray(
        languages.Available().SelectMany(l => l.Entry.ListedIds.Select(id => (Id: id, Name: l.Judge0Name)))
            .OrderBy(x => x.Name, StringComparer.Ordinal).ThenBy(x => x.Id)
            .Select(x => (JsonNode)new JsonObject { ["id"] = x.Id, ["name"] = x.Name }).ToArray()));

    internal static IResult AllLanguages(CompatLanguages languages) => CompatHttp.Write(new JsonArray(
        languages.Available().SelectMany(l => l.Entry.ListedIds.Concat(l.Entry.AliasIds).Select(id => (Id: id, Name: l.Judge0Name)))
            .OrderBy(x => x.Name, StringComparer.Ordinal).ThenBy(x => x.Id)
            .Select(x => (JsonNode)new JsonObject { ["id"] = x.Id, ["name"] = x.Name, ["is_archived"] = false }).ToArray()));

    internal static IResult Language(string id, CompatLanguages languages)
    {
        if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || languages.ByJudge0Id(n, includeHidden: false) is not { } l)
            return CompatHttp.Error("error", "Not Found", StatusCodes.Status404NotFound);
        var d = l.Definition;
        string? compile = null;
        if (d?.Compile is { } argv && !d.CompileChecksOnly)
        {
            var words = argv.ToList();
            var at = words.IndexOf(d.SourceFile);
            words.Insert(at < 0 ? words.Count : at, "%s");
            compile = string.Join(' ', words);
        }
        return CompatHttp.Write(new JsonObject
        {
            ["id"] = n,
            ["name"] = l.Judge0Name,
            ["is_archived"] = false,
            ["source_file"] = d?.SourceFile,
            ["compile_cmd"] = compile,
            ["run_cmd"] = d is null ? null : string.Join(' ', d.Run),
        });
    }

    internal static IResult Statuses() => CompatHttp.Write(new JsonArray(
        Judge0Status.All.Select(s => (JsonNode)new JsonObject { ["id"] = s.Id, ["description"] = s.Description }).ToArray()));

    internal static IResult About() => CompatHttp.Write(new JsonObject
    {
        ["version"] = Version,
        ["homepage"] = "https://github.com/judge0/judge0 (API); served by Runner",
        ["source_code"] = "Runner: a sandboxed judge speaking Judge0 CE 1.13.1's API",
        ["maintainer"] = "the operator of this Runner server",
    });

    /// <summary>The 39 keys of 1.13.1, each saying what this server really does (no network, no additional files).</summary>
    internal static IResult Config(Judge0SubmissionReader reader, IOptions<RunnerOptions> options)
    {
        var max = reader.Limits;
        var o = options.Value;
        return CompatHttp.Write(new JsonObject
        {
            ["maintenance_mode"] = false,
            ["enable_wait_result"] = true,
            ["enable_compiler_options"] = true,
            ["allowed_languages_for_compile_options"] = new JsonArray(),
            ["enable_command_line_arguments"] = true,
            ["enable_submission_delete"] = false,
            ["enable_callbacks"] = o.CallbackAllowedHosts.Count > 0,
            ["callbacks_max_tries"] = o.Callbacks.Attempts,
            ["callbacks_timeout"] = o.Callbacks.TimeoutSeconds,
            ["enable_additional_files"] = false,
            ["max_queue_size"] = o.Queue.MaxPending,
            ["cpu_time_limit"] = Judge0Limits.CpuTimeLimit,
            ["max_cpu_time_limit"] = max.MaxCpuTimeLimit,
            ["cpu_extra_time"] = Judge0Limits.CpuExtraTime,
            ["max_cpu_extra_time"] = Judge0Limits.MaxCpuExtraTime,
            ["wall_time_limit"] = Judge0Limits.WallTimeLimit,
            ["max_wall_time_limit"] = max.MaxWallTimeLimit,
            ["memory_limit"] = Judge0Limits.MemoryLimit,
            ["max_memory_limit"] = max.MaxMemoryLimit,
            ["stack_limit"] = Judge0Limits.StackLimit,
            ["max_stack_limit"] = Judge0Limits.MaxStackLimit,
            ["max_processes_and_or_threads"] = Judge0Limits.MaxProcesses,
            ["max_max_processes_and_or_threads"] = max.MaxMaxProcesses,
            ["enable_per_process_and_thread_time_limit"] = false,
            ["allow_enable_per_process_and_thread_time_limit"] = false,
            ["enable_per_process_and_thread_memory_limit"] = false,
            ["allow_enable_per_process_and_thread_memory_limit"] = false,
            ["max_file_size"] = Judge0Limits.MaxFileSize,
            ["max_max_file_size"] = max.MaxMaxFileSize,
            ["number_of_runs"] = Judge0Limits.NumberOfRuns,
            ["max_number_of_runs"] = Judge0Limits.MaxNumberOfRuns,
            ["redirect_stderr_to_stdout"] = false,
            ["max_extract_size"] = 0,
            ["enable_batched_submissions"] = true,
            ["max_submission_batch_size"] = max.MaxBatch,
            ["submission_cache_duration"] = 0.0,
            ["use_docs_as_homepage"] = false,
            ["allow_enable_network"] = false,
            ["enable_network"] = false,
        });
    }

    /// <summary>Judge0's health check: the judge queue and the workers serving it.</summary>
    internal static IResult Workers(JobStorage storage)
    {
        var monitor = storage.GetMonitoringApi();
        var servers = monitor.Servers().Where(s => s.Queues.Contains(JudgeSubmissionJob.Queue)).ToList();
        var available = servers.Sum(s => s.WorkersCount);
        var working = (int)Math.Min(int.MaxValue, monitor.ProcessingCount());
        return CompatHttp.Write(new JsonArray(new JsonObject
        {
            ["queue"] = JudgeSubmissionJob.Queue,
            ["size"] = (int)Math.Min(int.MaxValue, monitor.EnqueuedCount(JudgeSubmissionJob.Queue)),
            ["available"] = available,
            ["idle"] = Math.Max(0, available - working),
            ["working"] = working,
            ["paused"] = 0,
            ["failed"] = (int)Math.Min(int.MaxValue, monitor.FailedCount()),
        }));
    }

    /// <summary>A few lscpu and free rows, as strings.</summary>
    internal static IResult SystemInfo()
    {
        var o = new JsonObject
        {
            ["Architecture"] = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
            ["CPU(s)"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            if (File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } model)
                o["Model name"] = model[(model.IndexOf(':') + 1)..].Trim();
            var mem = File.ReadLines("/proc/meminfo").Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1].Trim());
            if (mem.TryGetValue("MemTotal", out var total)) o["Mem"] = total;
            if (mem.TryGetValue("SwapTotal", out var swap)) o["Swap"] = swap;
        }
        catch (IOException)
        {
        }
        return CompatHttp.Write(o);
    }

    internal static IResult Isolate() =>
        Results.Text($"Runner {typeof(Judge0Info).Assembly.GetName().Version} (no isolate: each box is Runner's own namespaces, cgroup and seccomp filter)\n", "text/plain");

    internal static IResult License() =>
        Results.Text("Runner serves Judge0 CE 1.13.1's API; it contains no Judge0 code. See the Runner project's repository for its licence.\n", "text/plain");
}
