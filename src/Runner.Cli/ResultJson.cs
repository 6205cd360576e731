using System.Text.Encodings.Web;
using System.Text.Json;
using Runner.Sandbox;
using Runner.Sandbox.Json;

namespace Runner.Cli;

/// <summary>Prints the engine's wire record (<see cref="SandboxResultJson"/>) for <c>runner run --json</c>.</summary>
internal static class ResultJson
{
    /// <summary>
    /// Non-ASCII program output is written as UTF-8 rather than \u escapes so the JSON stays
    /// readable; quotes and control characters are still escaped, which is all JSON requires.
    /// </summary>
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the result as one line of JSON followed by a newline.</summary>
    public static void Write(Stream output, SandboxResult result)
    {
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
            JsonSerializer.Serialize(writer, SandboxResultJson.From(result), SandboxJsonContext.Default.SandboxResultJson);
        output.WriteByte((byte)'\n');
        output.Flush();
    }
}
