using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Runner.Sandbox.Json;

namespace Runner.Api.Contracts;

/// <summary>
/// The body of POST /api/v1/runs: one command, or several <c>steps</c> in order, in one /box
/// that holds the given files.
/// </summary>
public sealed record RunRequest
{
    /// <summary>Files written into /box before the run: relative path to content.</summary>
    public IReadOnlyDictionary<string, RunFile>? Files { get; init; }

    /// <summary>argv, run as is (never through a shell unless you name one). Required unless steps are given.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>The program's stdin (default empty); with steps, give each step its own.</summary>
    public string? Stdin { get; init; }

    /// <summary>Same defaults and maxima as a submission's limits; with steps, the limits of every step that sets none.</summary>
    public LimitsRequest? Limits { get; init; }

    /// <summary>Commands run in order in the same /box instead of command, each with its own limits and result; stops at the first that fails unless it says continue_on_failure.</summary>
    public IReadOnlyList<RunStepRequest>? Steps { get; init; }

    /// <summary>Paths under /box to return after the run (after the last step): regular files only, never through a symlink.</summary>
    public IReadOnlyList<string>? CopyOut { get; init; }
}

/// <summary>One step of a run.</summary>
public sealed record RunStepRequest
{
    /// <summary>argv of this step.</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>This step's stdin (default empty).</summary>
    public string? Stdin { get; init; }

    /// <summary>This step's limits (default: the run's limits).</summary>
    public LimitsRequest? Limits { get; init; }

    /// <summary>Run the next step even when this one does not end with status ok (default false: the run stops here).</summary>
    public bool? ContinueOnFailure { get; init; }
}

/// <summary>File content as text (UTF-8) or base64; exactly one of the two.</summary>
public sealed record RunFile
{
    /// <summary>The file's text, written as UTF-8.</summary>
    public string? Content { get; init; }

    /// <summary>The file's bytes, base64-encoded (for binary files).</summary>
    public string? Base64 { get; init; }
}

/// <summary>
/// The engine's result record, the same the CLI's <c>--json</c> prints (for a run with steps:
/// the last step that ran), plus the copied-out files after its fields, and with steps each
/// step's result.
/// </summary>
public sealed record RunResponse : SandboxResultJson
{
    /// <summary>The serializer's constructor; with it the required fields stay required in the OpenAPI document.</summary>
    public RunResponse()
    {
    }

    [SetsRequiredMembers]
    public RunResponse(SandboxResultJson result, IReadOnlyList<CopiedFile> files, IReadOnlyList<SandboxResultJson>? steps = null) : base(result)
    {
        Files = files;
        Steps = steps;
    }

    [JsonPropertyOrder(14)] public required IReadOnlyList<CopiedFile> Files { get; init; }

    /// <summary>With steps: one result per step that ran, in order (steps after a failing one did not run); absent for a single command.</summary>
    [JsonPropertyOrder(15)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SandboxResultJson>? Steps { get; init; }
}

/// <summary>202 answer to POST /api/v1/runs: where to poll.</summary>
public sealed record RunAccepted(Guid Id, SubmissionStatus Status);

/// <summary>GET /api/v1/runs/{id}: the run's lifecycle, and once finished its result.</summary>
public sealed record RunView
{
    public required Guid Id { get; init; }

    /// <summary>queued, running or finished.</summary>
    public required SubmissionStatus Status { get; init; }

    /// <summary>Once finished: what POST ?wait=true answers. Null until then, and when error is set.</summary>
    public RunResponse? Result { get; init; }

    /// <summary>Once finished, when a command could not be executed at all: the field at fault (command, steps[1].command) and why. POST ?wait=true answers it as a 400.</summary>
    public RunError? Error { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
}

/// <summary>A request error only the box could find (a program it cannot execute), naming the field.</summary>
public sealed record RunError(string Field, string Message);

/// <summary>
/// One copy_out path. Base64 is set when the file was copied; otherwise Error says why
/// (missing, not a regular file, a symlink, too large).
/// </summary>
public sealed record CopiedFile(string Path, long? Size, string? Base64, string? Error);

/// <summary>A language some live worker can judge; versions of workers on different images are comma-separated.</summary>
public sealed record LanguageView(string Id, string Name, string Version);
