using System.Text.Json.Serialization;

namespace Runner.Sandbox.Json;

/// <summary>
/// The wire form of a <see cref="SandboxResult"/>: what <c>runner run --json</c> prints and what
/// POST /api/v1/runs returns (README.md, "Result fields"). A record of its own, rather than the
/// engine's type, so the engine can grow fields without changing the contract. Explicit orders
/// pin the documented key order; a derived record (the API's run response) appends after them.
/// </summary>
public record SandboxResultJson
{
    [JsonPropertyOrder(0)] public required SandboxStatus Status { get; init; }
    [JsonPropertyOrder(1)] public int? ExitCode { get; init; }
    [JsonPropertyOrder(2)] public int? Signal { get; init; }
    [JsonPropertyOrder(3)] public double CpuTime { get; init; }
    [JsonPropertyOrder(4)] public double UserTime { get; init; }
    [JsonPropertyOrder(5)] public double SystemTime { get; init; }
    [JsonPropertyOrder(6)] public double WallTime { get; init; }
    [JsonPropertyOrder(7)] public long? MemoryPeak { get; init; }
    [JsonPropertyOrder(8)] public bool OomKilled { get; init; }
    [JsonPropertyOrder(9)] public required string Stdout { get; init; }
    [JsonPropertyOrder(10)] public required string Stderr { get; init; }
    [JsonPropertyOrder(11)] public bool StdoutTruncated { get; init; }
    [JsonPropertyOrder(12)] public bool StderrTruncated { get; init; }
    [JsonPropertyOrder(13)] public required string Message { get; init; }

    public static SandboxResultJson From(SandboxResult r) => new()
    {
        Status = r.Status,
        ExitCode = r.ExitCode,
        Signal = r.Signal,
        CpuTime = JsonRounding.Round(r.CpuTime),
        UserTime = JsonRounding.Round(r.UserTime),
        SystemTime = JsonRounding.Round(r.SystemTime),
        WallTime = JsonRounding.Round(r.WallTime),
        MemoryPeak = r.MemoryPeak,
        OomKilled = r.OomKilled,
        Stdout = r.Stdout,
        Stderr = r.Stderr,
        StdoutTruncated = r.StdoutTruncated,
        StderrTruncated = r.StderrTruncated,
        Message = r.Message,
    };
}

/// <summary>Source-generated, so the NativeAOT CLI serializes without reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SandboxResultJson))]
[JsonSerializable(typeof(SandboxStatus))]
public sealed partial class SandboxJsonContext : JsonSerializerContext;
