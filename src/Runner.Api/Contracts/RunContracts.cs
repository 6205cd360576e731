using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Runner.Sandbox.Json;

namespace Runner.Api.Contracts;

/// <summary>The body of POST /api/v1/runs: one command in one fresh box.</summary>
public sealed record RunRequest
{
    /// <summary>Files written into /box before the run: relative path to content.</summary>
    public IReadOnlyDictionary<string, RunFile>? Files { get; init; }

    /// <summary>argv, run as is (never through a shell unless you name one).</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>The program's stdin (default empty).</summary>
    public string? Stdin { get; init; }

    /// <summary>Same defaults and maxima as a submission's limits.</summary>
    public LimitsRequest? Limits { get; init; }

    /// <summary>Paths under /box to return after the run: regular files only, never through a symlink.</summary>
    public IReadOnlyList<string>? CopyOut { get; init; }
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
/// The engine's result record, the same the CLI's <c>--json</c> prints, plus the copied-out
/// files after its fields.
/// </summary>
public sealed record RunResponse : SandboxResultJson
{
    /// <summary>The serializer's constructor; with it the required fields stay required in the OpenAPI document.</summary>
    public RunResponse()
    {
    }

    [SetsRequiredMembers]
    public RunResponse(SandboxResultJson result, IReadOnlyList<CopiedFile> files) : base(result) => Files = files;

    [JsonPropertyOrder(14)] public required IReadOnlyList<CopiedFile> Files { get; init; }
}

/// <summary>
/// One copy_out path. Base64 is set when the file was copied; otherwise Error says why
/// (missing, not a regular file, a symlink, too large).
/// </summary>
public sealed record CopiedFile(string Path, long? Size, string? Base64, string? Error);

/// <summary>A language some live worker can judge; versions of workers on different images are comma-separated.</summary>
public sealed record LanguageView(string Id, string Name, string Version);
