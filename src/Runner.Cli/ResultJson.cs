using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Runner.Sandbox;

namespace Runner.Cli;

/// <summary>
/// The <c>--json</c> result object. A DTO rather than <see cref="SandboxResult"/> itself so the
/// engine can grow fields without changing the contract documented in README.md#result-fields.
/// Explicit orders pin the documented key order against refactors of this declaration.
/// </summary>
internal sealed record ResultDto(
    [property: JsonPropertyOrder(0)] string Status,
    [property: JsonPropertyOrder(1)] int? ExitCode,
    [property: JsonPropertyOrder(2)] int? Signal,
    [property: JsonPropertyOrder(3)] double CpuTime,
    [property: JsonPropertyOrder(4)] double UserTime,
    [property: JsonPropertyOrder(5)] double SystemTime,
    [property: JsonPropertyOrder(6)] double WallTime,
    [property: JsonPropertyOrder(7)] long? MemoryPeak,
    [property: JsonPropertyOrder(8)] bool OomKilled,
    [property: JsonPropertyOrder(9)] string Stdout,
    [property: JsonPropertyOrder(10)] string Stderr,
    [property: JsonPropertyOrder(11)] bool StdoutTruncated,
    [property: JsonPropertyOrder(12)] bool StderrTruncated,
    [property: JsonPropertyOrder(13)] string Message)
{
    public static ResultDto From(SandboxResult r) => new(
        ResultJson.StatusName(r.Status),
        r.ExitCode,
        r.Signal,
        Seconds(r.CpuTime),
        Seconds(r.UserTime),
        Seconds(r.SystemTime),
        Seconds(r.WallTime),
        r.MemoryPeak,
        r.OomKilled,
        r.Stdout,
        r.Stderr,
        r.StdoutTruncated,
        r.StderrTruncated,
        r.Message);

    /// <summary>
    /// Microseconds are finer than any clock the engine reads; rounding keeps binary noise like
    /// 0.30000000000000004 out of the output. JSON has no NaN, so a broken reading becomes 0.
    /// </summary>
    private static double Seconds(double value) =>
        double.IsFinite(value) ? Math.Round(value, 6, MidpointRounding.AwayFromZero) : 0;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ResultDto))]
internal sealed partial class ResultJsonContext : JsonSerializerContext;

internal static class ResultJson
{
    /// <summary>
    /// Non-ASCII program output is written as UTF-8 rather than \u escapes so the JSON stays
    /// readable; quotes and control characters are still escaped, which is all JSON requires.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the result as one line of JSON followed by a newline.</summary>
    public static void Write(Stream output, SandboxResult result)
    {
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
            JsonSerializer.Serialize(writer, ResultDto.From(result), ResultJsonContext.Default.ResultDto);
        output.WriteByte((byte)'\n');
        output.Flush();
    }

    public static string StatusName(SandboxStatus status) => status switch
    {
        SandboxStatus.Ok => "ok",
        SandboxStatus.RuntimeError => "runtime_error",
        SandboxStatus.Signaled => "signaled",
        SandboxStatus.TimeLimit => "time_limit",
        SandboxStatus.WallTimeLimit => "wall_time_limit",
        SandboxStatus.MemoryLimit => "memory_limit",
        SandboxStatus.OutputLimit => "output_limit",
        SandboxStatus.InternalError => "internal_error",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "status has no contract name"),
    };
}
