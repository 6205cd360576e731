using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Runner.Api.Errors;

/// <summary>
/// Malformed JSON (syntax errors, wrong types, unknown fields) becomes a 400 problem naming the
/// field from the JSON path, instead of the framework's empty 400.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad) return false;
        var json = bad.InnerException as JsonException;
        var field = json is null ? "body" : FieldOf(json);
        var message = json is null ? bad.Message : $"malformed JSON: {json.Message}";
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = "The request has invalid fields",
                Detail = $"{field}: {message}",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } },
            },
        });
    }

    /// <summary>"$.limits.time" → "limits.time"; an unknown property names itself in the message.</summary>
    private static string FieldOf(JsonException e)
    {
        var path = e.Path is null or "$" ? "" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path.TrimStart('$');
        const string marker = "The JSON property '";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            var end = e.Message.IndexOf('\'', at + marker.Length);
            if (end > at)
            {
                var name = e.Message[(at + marker.Length)..end];
                if (!path.EndsWith(name, StringComparison.Ordinal)) path = path.Length == 0 ? name : $"{path}.{name}";
            }
        }
        return path.Length == 0 ? "body" : path;
    }
}
