using System.Text;
using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Storage;
using Runner.Api.Submissions;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Json;

namespace Runner.Api.Runs;

/// <summary>
/// POST /api/v1/runs: validated on the API host; executed on a worker (<see cref="ExecuteRunJob"/>):
/// each step's argv in a fresh box over the same /box directory, which first receives the given
/// files, then the copy_out files read back without following links (see <see cref="BoxDirectory.CopyOut"/>).
/// </summary>
public sealed class RunExecutor(IOptions<RunnerOptions> options, SandboxOptions sandbox, ILogger<RunExecutor> logger) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, WorkerCount.Resolve(options.Value)));

    public RunInput? Validate(RunRequest? request, ValidationErrors errors)
    {
        var server = options.Value.Limits;
        if (request is null)
        {
            errors.Add("body", "a run object is required");
            return null;
        }
        var steps = ValidateSteps(request, server, errors);
        var files = new List<(string, byte[])>();
        long total = 0;
        foreach (var (path, file) in request.Files ?? new Dictionary<string, RunFile>())
        {
            var field = $"files.{path}";
            if (BoxPath.Normalize(path) is not { } rel)
            {
                errors.Add(field, $"must be a relative path inside /box without '..' or empty segments, each name at most {BoxPath.MaxNameBytes} bytes and the whole at most {BoxPath.MaxPathBytes}");
                continue;
            }
            if (file is null || (file.Content is null) == (file.Base64 is null))
            {
                errors.Add(field, "give exactly one of content or base64");
                continue;
            }
            byte[] bytes;
            if (file.Base64 is not null)
            {
                try
                {
                    bytes = Convert.FromBase64String(file.Base64);
                }
                catch (FormatException)
                {
                    errors.Add($"{field}.base64", "is not valid base64");
                    continue;
                }
            }
            else bytes = Encoding.UTF8.GetBytes(file.Content!);
            total += bytes.Length;
            // "a" and "/box/a" name one file, and "a" cannot be a file and hold "a/b" too.
            if (files.Any(f => f.Item1 == rel || f.Item1.StartsWith(rel + "/", StringComparison.Ordinal) || rel.StartsWith(f.Item1 + "/", StringComparison.Ordinal)))
            {
                errors.Add(field, "names the same file as, or a directory of, another entry");
                continue;
            }
            files.Add((rel, bytes));
        }
        if (total > server.MaxRunFilesBytes) errors.Add("files", $"total {total} bytes is over the server maximum of {server.MaxRunFilesBytes}");
        if (request.Files?.Count > server.MaxRunFiles) errors.Add("files", $"{request.Files.Count} files is over the server maximum of {server.MaxRunFiles}");
        foreach (var (field, message) in BoxPath.Conflicts(files.Select(f => f.Item1)))
            errors.Add($"files.{field}", message);

        // Each file once ("a" and "/box/a" are one), so one small request cannot ask for the
        // same large file over and over.
        var copyOut = new List<string>();
        foreach (var (p, i) in (request.CopyOut ?? []).Select((p, i) => (p, i)))
        {
            if (BoxPath.Normalize(p) is { } rel) { if (!copyOut.Contains(rel)) copyOut.Add(rel); }
            else errors.Add($"copy_out[{i}]", $"must be a relative path inside /box (or /box/...) without '..' or empty segments, each name at most {BoxPath.MaxNameBytes} bytes and the whole at most {BoxPath.MaxPathBytes}");
        }
        if (copyOut.Count > server.MaxCopyOutFiles) errors.Add("copy_out", $"{copyOut.Count} files is over the server maximum of {server.MaxCopyOutFiles}");
        return errors.Any ? null : new RunInput(files.Select(f => new RunInputFile(f.Item1, f.Item2)).ToList(), steps, copyOut, request.Steps is not null);
    }

    /// <summary>A single command is one step; <c>steps</c> are the steps, each defaulting to the run's limits.</summary>
    private static List<RunInputStep> ValidateSteps(RunRequest request, LimitOptions server, ValidationErrors errors)
    {
        var steps = new List<RunInputStep>();
        if (request.Steps is null)
        {
            var limits = LimitsValidator.Resolve(request.Limits, server, "limits", errors);
            if (ValidArgv(request.Command, "command", errors) && ValidStdin(request.Stdin, "stdin", server, errors))
                steps.Add(new RunInputStep(request.Command!, request.Stdin ?? "", limits, false, "command"));
            return steps;
        }
        if (request.Command is not null) errors.Add("command", "give either command or steps, not both");
        if (request.Stdin is not null) errors.Add("stdin", "with steps, give each step its own stdin");
        if (request.Steps.Count == 0) errors.Add("steps", "must contain at least one step");
        if (request.Steps.Count > server.MaxRunSteps) errors.Add("steps", $"{request.Steps.Count} steps is over the server maximum of {server.MaxRunSteps}");
        long stdinBytes = 0;
        foreach (var (step, i) in request.Steps.Select((s, i) => (s, i)))
        {
            var field = $"steps[{i}]";
            if (step is null)
            {
                errors.Add(field, "must be a step object");
                continue;
            }
            var limits = LimitsValidator.Resolve(step.Limits ?? request.Limits, server, step.Limits is null ? "limits" : $"{field}.limits", errors);
            stdinBytes += Encoding.UTF8.GetByteCount(step.Stdin ?? "");
            if (ValidArgv(step.Command, $"{field}.command", errors) && ValidStdin(step.Stdin, $"{field}.stdin", server, errors))
                steps.Add(new RunInputStep(step.Command!, step.Stdin ?? "", limits, step.ContinueOnFailure ?? false, $"{field}.command"));
        }
        if (stdinBytes > server.MaxTestsBytes) errors.Add("steps", $"their stdin adds up to {stdinBytes} bytes, over the server maximum of {server.MaxTestsBytes}");
        return steps;
    }

    private static bool ValidArgv(IReadOnlyList<string>? argv, string field, ValidationErrors errors)
    {
        if (argv is not { Count: > 0 } || string.IsNullOrEmpty(argv[0]))
            errors.Add(field, "an argv array with at least the program is required");
        else if (argv.Any(a => a is null || a.Contains('\0')))
            errors.Add(field, "arguments must be strings without NUL");
        else
            return true;
        return false;
    }

    private static bool ValidStdin(string? stdin, string field, LimitOptions server, ValidationErrors errors)
    {
        if (Encoding.UTF8.GetByteCount(stdin ?? "") <= server.MaxTestsBytes) return true;
        errors.Add(field, $"is larger than the server maximum of {server.MaxTestsBytes} bytes");
        return false;
    }

    /// <summary>Runner:WorkRoot/runs, or a per-user default beside the judge's (<see cref="WorkRoot.Default"/>).</summary>
    private string RunsRoot => options.Value.WorkRoot is { } root ? Path.Combine(root, "runs") : WorkRoot.Default("runs");

    /// <summary>
    /// Runs the steps in order over one /box, each in a fresh box with its own limits, until one
    /// fails (status other than ok) without continue_on_failure; then copies out.
    /// </summary>
    /// <exception cref="RunRequestException">A step's program cannot be executed: the request's fault, naming its field.</exception>
    public async Task<RunResponse> RunAsync(RunInput run, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            BoxDirectory session;
            try
            {
                // The judge's guarantees: a root owned by this uid that no one else can change,
                // and every write an openat(O_CREAT|O_EXCL|O_NOFOLLOW) below a directory fd.
                session = BoxDirectory.Create(WorkRoot.Prepare(RunsRoot), "run-" + Guid.NewGuid().ToString("N"));
            }
            catch (IOException e)
            {
                logger.LogError("Cannot create a run directory: {Error}", e.Message);
                return Failed($"cannot create a run directory: {e.Message}", run);
            }
            using (session)
            {
                BoxDirectory box;
                try
                {
                    // Each stdin beside /box, not in it: the program reads it as its stdin, not as a file.
                    for (var i = 0; i < run.Steps.Count; i++) session.WriteFile(StdinName(i), Encoding.UTF8.GetBytes(run.Steps[i].Stdin));
                    box = BoxDirectory.Create(session.FullPath, "box");
                }
                catch (IOException e)
                {
                    return Failed($"cannot prepare the run directory: {e.Message}", run);
                }
                using var boxDirectory = box;
                try
                {
                    foreach (var file in run.Files) box.WriteFile(file.Path, file.Content);
                }
                catch (IOException e)
                {
                    return Failed($"cannot write the files into the box: {e.Message}", run);
                }
                var results = new List<SandboxResultJson>();
                for (var i = 0; i < run.Steps.Count; i++)
                {
                    var step = run.Steps[i];
                    var spec = new SandboxSpec
                    {
                        Argv = step.Argv,
                        WorkDir = box.FullPath,
                        StdinPath = Path.Combine(session.FullPath, StdinName(i)),
                        Limits = step.Limits.ToSandboxLimits(),
                    };
                    // A thread of its own, as the judge's (PipelineJudge): a box blocks it for the whole run.
                    var result = await Task.Factory.StartNew(() => Box.Run(spec, sandbox, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                    if (result.ProgramError is { } notRunnable) throw new RunRequestException(step.Field, notRunnable);
                    results.Add(SandboxResultJson.From(result));
                    if (result.Status != SandboxStatus.Ok && !step.ContinueOnFailure) break;
                }
                var copied = CopyOut(box, run.CopyOut);
                return new RunResponse(results[^1], copied, run.Stepped ? results : null);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private static string StdinName(int step) => $"stdin-{step}";

    /// <summary>
    /// Reads the copy_out files, each within MaxCopyOutBytes and all together within
    /// MaxCopyOutTotalBytes: the answer is built in memory (base64 in JSON), so its size is
    /// bounded here rather than by what the box wrote.
    /// </summary>
    private List<CopiedFile> CopyOut(BoxDirectory box, IReadOnlyList<string> paths)
    {
        var limits = options.Value.Limits;
        var left = limits.MaxCopyOutTotalBytes;
        var copied = new List<CopiedFile>();
        foreach (var path in paths)
        {
            var o = box.CopyOut(path, Math.Min(limits.MaxCopyOutBytes, left));
            if (o.Content is null && o.Size is { } size && size <= limits.MaxCopyOutBytes)
                o = o with { Error = $"refused: with the files before it, the answer would be over the copy-out total of {limits.MaxCopyOutTotalBytes} bytes" };
            left -= o.Content?.Length ?? 0;
            copied.Add(new CopiedFile(path, o.Size, o.Content is null ? null : Convert.ToBase64String(o.Content), o.Error));
        }
        return copied;
    }

    private static RunResponse Failed(string message, RunInput run)
    {
        var failed = SandboxResultJson.From(new SandboxResult { Status = SandboxStatus.InternalError, Message = message });
        return new(failed, [], run.Stepped ? [failed] : null);
    }

    public void Dispose() => _slots.Dispose();
}

/// <summary>The run showed the request itself was wrong (the program cannot be executed): a 400 naming the field.</summary>
public sealed class RunRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Paths inside /box as the API takes them: relative, or absolute under /box.</summary>
public static class BoxPath
{
    /// <summary>Linux's NAME_MAX and PATH_MAX, in bytes; the box directory's own path counts against the latter.</summary>
    public const int MaxNameBytes = 255, MaxPathBytes = 3800;

    public static string? Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Contains('\0')) return null;
        if (path.StartsWith("/box/", StringComparison.Ordinal)) path = path["/box/".Length..];
        if (path.StartsWith('/')) return null;
        var parts = path.Split('/');
        if (parts.Any(p => p is "" or "." or "..")) return null;
        if (parts.Any(p => Encoding.UTF8.GetByteCount(p) > MaxNameBytes) || Encoding.UTF8.GetByteCount(path) > MaxPathBytes) return null;
        return string.Join('/', parts);
    }

    /// <summary>A file that is also another file's directory ("a" and "a/b"), and the same path twice ("a" and "/box/a").</summary>
    public static IEnumerable<(string Field, string Message)> Conflicts(IEnumerable<string> normalized)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in normalized)
            if (!files.Add(path)) yield return (path, "is given twice");
        foreach (var path in files)
        {
            for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                var parent = path[..slash];
                if (files.Contains(parent))
                {
                    yield return (path, $"needs '{parent}' to be a directory, but '{parent}' is also given as a file");
                    break;
                }
            }
        }
    }
}

public static class WorkerCount
{
    /// <summary>
    /// By default one more than the host's box slots (one per core): boxes stay bounded by the
    /// slots, and the extra worker does a submission's work outside its box (claim, files, check,
    /// store) while the others' boxes hold the cores, so a core is not left idle in between
    /// (bench/fastpath.sh: the whole machine 95 % busy during a burst with one worker per core,
    /// 98 % with one more).
    /// </summary>
    public static int Resolve(RunnerOptions o) => o.Queue.Workers > 0 ? o.Queue.Workers : Environment.ProcessorCount + 1;
}
