using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Runner.Api.Security;

namespace Runner.Api.Compat;

/// <summary>What the Judge0 and Piston surfaces share: their JSON bodies, CORS and API keys.</summary>
public static class CompatHttp
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON body written as given (no problem+json, no naming policy).</summary>
    public static IResult Write(JsonNode? body, int status = StatusCodes.Status200OK) =>
        Results.Text(body?.ToJsonString(Json) ?? "null", "application/json; charset=utf-8", null, status);

    public static IResult Error(string key, string message, int status) => Write(new JsonObject { [key] = message }, status);

    /// <summary>Reads the body as JSON whatever its Content-Type (piston-client sends text/plain); null when empty.</summary>
    public static async Task<(JsonNode? Body, string? Error)> ReadJsonAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        try
        {
            return (JsonNode.Parse(text), null);
        }
        catch (JsonException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// Access-Control-Allow-Origin: * on every answer, as Judge0 sends by default: browser
    /// clients (Judge0 IDE) call it from other origins.
    /// </summary>
    public static TBuilder AllowAnyOrigin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.AccessControlAllowOrigin = "*";
            return await next(context);
        });

    /// <summary>Answers a CORS preflight for <paramref name="pattern"/>: any origin, method and header.</summary>
    public static void MapPreflight(this IEndpointRouteBuilder routes, string pattern) =>
        routes.MapMethods(pattern, ["OPTIONS"], (HttpContext http) =>
        {
            var h = http.Response.Headers;
            h.AccessControlAllowOrigin = "*";
            h.AccessControlAllowMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
            h.AccessControlAllowHeaders = http.Request.Headers.AccessControlRequestHeaders.Count > 0
                ? http.Request.Headers.AccessControlRequestHeaders.ToString()
                : "*";
            h.AccessControlMaxAge = "86400";
            return Results.NoContent();
        }).ExcludeFromDescription();

    /// <summary>With Runner:ApiKeys set, whether one of the named headers carries a key ("Bearer " allowed in Authorization).</summary>
    public static bool Authorized(HttpContext http, ApiKeys keys, IEnumerable<string> headers, string? fromPath = null)
    {
        if (!keys.Configured) return true;
        if (fromPath is not null && keys.IsValid(fromPath)) return true;
        foreach (var name in headers)
        {
            string? value = http.Request.Headers[name];
            if (value is null) continue;
            if (name == "Authorization" && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) value = value[7..].Trim();
            if (keys.IsValid(value)) return true;
        }
        return false;
    }
}
