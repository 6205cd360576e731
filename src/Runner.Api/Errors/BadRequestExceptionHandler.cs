using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Runner.Api.Errors;

/// <summary>
/// Request mistakes the framework finds before our handlers run (unparseable or mistyped JSON,
/// unknown fields, a missing body, a bad query value, a body over the size cap) become a 4xx
/// problem naming the field, in our own words: the framework's messages name .NET types.
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad) return false;
        var (field, message) = Describe(http, bad);
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large" : "The request has invalid fields",
                Detail = $"{field}: {message}",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } },
            },
        });
    }

    private static (string Field, string Message) Describe(HttpContext http, BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var max = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            return ("body", max is { } m ? $"is larger than this endpoint's maximum of {m} bytes" : "is larger than this endpoint allows");
        }
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
            return ("Content-Type", "must be application/json");
        if (bad.InnerException is JsonException json) return Describe(json);
        if (BindFailure().Match(bad.Message) is { Success: true } bind)
        {
            var type = bind.Groups["type"].Value;
            return (bind.Groups["name"].Value, type.Contains("bool", StringComparison.OrdinalIgnoreCase)
                ? "must be true or false"
                : $"'{bind.Groups["value"].Value}' is not a valid value");
        }
        // "Implicit body inferred ... no body was provided", "Required parameter ... was not provided from body", a JSON null.
        if (bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
            return ("body", "a JSON object is required");
        return ("request", "could not be read");
    }

    private static (string Field, string Message) Describe(JsonException e)
    {
        // A syntax error: the reader's exception is inside; its path is where parsing stopped,
        // not a field at fault.
        if (e.InnerException is JsonException)
            return ("body", $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {ReaderMessage(e.InnerException.Message)}");

        var path = e.Path is null or "$" ? "" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path.TrimStart('$');
        if (UnknownProperty().Match(e.Message) is { Success: true } unknown)
        {
            var name = unknown.Groups["name"].Value;
            if (!path.EndsWith(name, StringComparison.Ordinal)) path = path.Length == 0 ? name : $"{path}.{name}";
            return (path, "is not a known field");
        }
        if (path.Length == 0) return ("body", "must be a JSON object");
        var target = Conversion().Match(e.Message) is { Success: true } m ? m.Groups["type"].Value : "";
        return (path, ExpectedShape(target));
    }

    /// <summary>What a field of the named .NET type must look like, in JSON terms.</summary>
    private static string ExpectedShape(string type) => type switch
    {
        _ when type.Contains("Int64") || type.Contains("Int32") => "must be a whole number",
        _ when type.Contains("Double") => "must be a number",
        _ when type.Contains("Boolean") => "must be true or false",
        _ when type.Contains("String") && !type.Contains('[') => "must be a string",
        _ when type.Contains("List") || type.Contains("[]") => "must be an array",
        _ when type.Contains("Dictionary") => "must be an object",
        "" => "has the wrong type",
        _ => "must be an object",
    };

    /// <summary>The reader's own sentence without its " Path: ... | LineNumber: ..." suffix.</summary>
    private static string ReaderMessage(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = (cut >= 0 ? message[..cut] : message).TrimEnd(' ', '|');
        var path = text.IndexOf(" Path:", StringComparison.Ordinal);
        return path >= 0 ? text[..path] : text;
    }

    [GeneratedRegex("The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnknownProperty();

    [GeneratedRegex("could not be converted to (?<type>[^ ]+)\\.")]
    private static partial Regex Conversion();

    [GeneratedRegex("Failed to bind parameter \"(?<type>.+) (?<name>[^ \"]+)\" from \"(?<value>.*)\"")]
    private static partial Regex BindFailure();
}
