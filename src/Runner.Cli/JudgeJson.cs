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

    private static void Write(Stream output, Action<Utf8JsonWriter> write)
    {
        using (var writer = new Utf8JsonWriter(output, ResultJson.WriterOptions)) write(writer);
        output.WriteByte((byte)'\n');
        output.Flush();
    }
}
