using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Runner.Judge;
using Runner.Judge.Languages;

namespace Runner.Cli;

/// <summary>The <c>runner judge --json</c> object; README.md#report---json documents each field.</summary>
internal sealed record JudgeReportDto(
    [property: JsonPropertyOrder(0)] string Verdict,
    [property: JsonPropertyOrder(1)] ScoreDto Score,
    [property: JsonPropertyOrder(2)] CompileDto Compile,
    [property: JsonPropertyOrder(3)] IReadOnlyList<TestDto> Tests,
    [property: JsonPropertyOrder(4)] string Message)
{
    public static JudgeReportDto From(JudgeReport r) => new(
        VerdictNames.Of(r.Verdict),
        new ScoreDto(r.Score.Passed, r.Score.Total, Round(r.Score.Points)),
        new CompileDto(CompileStatusName(r.Compile.Status), r.Compile.Output, Round(r.Compile.CpuTime), Round(r.Compile.WallTime),
            r.Compile.MemoryPeak, r.Compile.ExitCode, r.Compile.Message),
        r.Tests.Select(t => new TestDto(t.Name, VerdictNames.Of(t.Verdict), Round(t.Score), Round(t.CpuTime), Round(t.WallTime),
            t.MemoryPeak, t.ExitCode, t.Signal, t.Message, t.OutputExcerpt)).ToList(),
        r.Message);

    public static string CompileStatusName(CompileStatus status) => status switch
    {
        CompileStatus.Skipped => "skipped",
        CompileStatus.Succeeded => "succeeded",
        CompileStatus.Failed => "failed",
        _ => "internal_error",
    };

    private static double Round(double value) =>
        double.IsFinite(value) ? Math.Round(value, 6, MidpointRounding.AwayFromZero) : 0;
}

internal sealed record ScoreDto(int Passed, int Total, double Points);

internal sealed record CompileDto(string Status, string Output, double CpuTime, double WallTime, long? MemoryPeak,
    int? ExitCode, string Message);

internal sealed record TestDto(string Name, string Verdict, double Score, double CpuTime, double WallTime, long? MemoryPeak,
    int? ExitCode, int? Signal, string Message, string OutputExcerpt);

internal sealed record LanguagesDto(IReadOnlyList<LanguageInfo> Languages);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JudgeReportDto))]
[JsonSerializable(typeof(LanguagesDto))]
internal sealed partial class JudgeJsonContext : JsonSerializerContext;

internal static class JudgeJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(Stream output, JudgeReport report) =>
        Write(output, w => JsonSerializer.Serialize(w, JudgeReportDto.From(report), JudgeJsonContext.Default.JudgeReportDto));

    public static void Write(Stream output, IReadOnlyList<LanguageInfo> languages) =>
        Write(output, w => JsonSerializer.Serialize(w, new LanguagesDto(languages), JudgeJsonContext.Default.LanguagesDto));

    private static void Write(Stream output, Action<Utf8JsonWriter> write)
    {
        using (var writer = new Utf8JsonWriter(output, WriterOptions)) write(writer);
        output.WriteByte((byte)'\n');
        output.Flush();
    }
}
