using System.Text.Json;
using System.Text.Json.Serialization;

namespace Runner.Judge.Languages;

/// <summary>The on-disk shape of languages.json.</summary>
internal sealed record LanguageFile(IReadOnlyList<LanguageDefinition> Languages)
{
    public static IReadOnlyList<LanguageDefinition> Parse(Stream json, string origin)
    {
        LanguageFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, LanguageFileJson.Default.LanguageFile);
        }
        catch (JsonException e)
        {
            throw new LanguageFileException($"{origin}: {e.Message}");
        }
        if (file?.Languages is null) throw new LanguageFileException($"{origin}: expected {{\"languages\": [...]}}");
        foreach (var language in file.Languages) language.Validate(origin);
        var duplicate = file.Languages.GroupBy(l => l.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new LanguageFileException($"{origin}: language '{duplicate.Key}' is listed twice");
        return file.Languages;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(LanguageFile))]
internal sealed partial class LanguageFileJson : JsonSerializerContext;
