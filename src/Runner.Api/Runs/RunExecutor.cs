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
/// POST /api/v1/runs: one argv in one fresh box whose /box holds the given files, then the
/// copy_out files read back without following links (see <see cref="BoxDirectory.CopyOut"/>).
/// Runs execute on the API host, at most Runner:Queue:Workers at once.
/// </summary>
public sealed class RunExecutor(IOptions<RunnerOptions> options, SandboxOptions sandbox, ILogger<RunExecutor> logger) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, WorkerCount.Resolve(options.Value)));

    public sealed record Prepared(IReadOnlyList<(string Path, byte[] Content)> Files, IReadOnlyList<string> Argv, string Stdin, JudgeLimits Limits, IReadOnlyList<string> CopyOut);

    public Prepared? Validate(RunRequest? request, ValidationErrors errors)
    {
        var server = options.Value.Limits;
        if (request is null)
        {
            errors.Add("body", "a run object is required");
            return null;
        }
        if (request.Command is not { Count: > 0 } command || string.IsNullOrEmpty(command[0]))
            errors.Add("command", "an argv array with at least the program is required");
        else if (command.Any(a => a is null || a.Contains('\0')))
            errors.Add("command", "arguments must be strings without NUL");

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

        var stdin = request.Stdin ?? "";
        if (Encoding.UTF8.GetByteCount(stdin) > server.MaxTestsBytes) errors.Add("stdin", $"is larger than the server maximum of {server.MaxTestsBytes} bytes");

        // Each file once ("a" and "/box/a" are one), so one small request cannot ask for the
        // same large file over and over.
        var copyOut = new List<string>();
        foreach (var (p, i) in (request.CopyOut ?? []).Select((p, i) => (p, i)))
        {
            if (BoxPath.Normalize(p) is { } rel) { if (!copyOut.Contains(rel)) copyOut.Add(rel); }
            else errors.Add($"copy_out[{i}]", $"must be a relative path inside /box (or /box/...) without '..' or empty segments, each name at most {BoxPath.MaxNameBytes} bytes and the whole at most {BoxPath.MaxPathBytes}");
        }
        if (copyOut.Count > server.MaxCopyOutFiles) errors.Add("copy_out", $"{copyOut.Count} files is over the server maximum of {server.MaxCopyOutFiles}");
        var limits = LimitsValidator.Resolve(request.Limits, server, "limits", errors);
        return errors.Any ? null : new Prepared(files, request.Command!, stdin, limits, copyOut);
    }

    /// <summary>Runner:WorkRoot/runs, or a per-user default beside the judge's (<see cref="WorkRoot.Default"/>).</summary>
    private string RunsRoot => options.Value.WorkRoot is { } root ? Path.Combine(root, "runs") : WorkRoot.Default("runs");

    public async Task<RunResponse> RunAsync(Prepared run, CancellationToken ct)
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
                return Failed($"cannot create a run directory: {e.Message}");
            }
            using (session)
            {
                BoxDirectory box;
                try
                {
                    // stdin beside /box, not in it: the program reads it as its stdin, not as a file.
                    session.WriteFile("stdin", Encoding.UTF8.GetBytes(run.Stdin));
                    box = BoxDirectory.Create(session.FullPath, "box");
                }
                catch (IOException e)
                {
                    return Failed($"cannot prepare the run directory: {e.Message}");
                }
                using var boxDirectory = box;
                try
                {
                    foreach (var (path, content) in run.Files) box.WriteFile(path, content);
                }
                catch (IOException e)
                {
                    return Failed($"cannot write the files into the box: {e.Message}");
                }
                var spec = new SandboxSpec
                {
                    Argv = run.Argv,
                    WorkDir = box.FullPath,
                    StdinPath = Path.Combine(session.FullPath, "stdin"),
                    Limits = run.Limits.ToSandboxLimits(),
                };
                var result = await Task.Run(() => Box.Run(spec, sandbox, ct), ct);
                if (result.ProgramError is { } notRunnable) throw new RunRequestException("command", notRunnable);
                var copied = CopyOut(box, run.CopyOut);
                return new RunResponse(SandboxResultJson.From(result), copied);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

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

    private static RunResponse Failed(string message) =>
        new(SandboxResultJson.From(new SandboxResult { Status = SandboxStatus.InternalError, Message = message }), []);

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
    public static int Resolve(RunnerOptions o) => o.Queue.Workers > 0 ? o.Queue.Workers : Environment.ProcessorCount;
}
