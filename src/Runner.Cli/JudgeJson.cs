using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Runner.Judge;
using Runner.Judge.Json;
using Runner.Judge.Languages;

namespace Runner.Cli;

internal sealed record LanguagesDto(IReadOnlyList<LanguageInfo> Languages);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LanguagesDto))]
internal sealed partial class LanguagesJsonContext : JsonSerializerContext;

/// <summary>Prints the judge's wire record (<see cref="JudgeReportJson"/>) and the languages list.</summary>
internal static class JudgeJson
{
    public static void Write(Stream output, JudgeReport report) =>
        Write(output, w => JsonSerializer.Serialize(w, JudgeReportJson.From(report), JudgeJsonContext.Default.JudgeReportJson));

    public static void Write(Stream output, IReadOnlyList<LanguageInfo> languages) =>
        Write(output, w => JsonSerializer.Serialize(w, new LanguagesDto(languages), LanguagesJsonContext.Default.LanguagesDto));

    /// <summary>
    /// Serialized in memory and written once: straight to stdout, the serializer's flushes made a
    /// dozen write(2)s per test of the report.
    /// </summary>
    private static void Write(Stream output, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(16 << 10);
        using (var writer = new Utf8JsonWriter(buffer, ResultJson.WriterOptions)) write(writer);
        buffer.Write("\n"u8);
        output.Write(buffer.WrittenSpan);
        output.Flush();
    }
}
