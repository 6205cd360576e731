using Microsoft.Net.Http.Headers;

namespace Runner.Api.Http;

/// <summary>
/// Request bodies of the API are JSON in UTF-8 (RFC 8259). A charset parameter is accepted
/// when it names UTF-8 in any legal spelling (quoted, any case) and dropped before the
/// framework's reader sees it, because that reader throws on a quoted or unknown charset. Any
/// other charset, and any other media type, is a 415 naming Content-Type.
/// </summary>
public static class JsonContentType
{
    public static IApplicationBuilder UseJsonContentTypeCheck(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var request = http.Request;
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        // Only Runner's own API: the Piston surface (/api/v2) reads JSON whatever the label, as its clients need.
        if (!hasBody || !request.Path.StartsWithSegments("/api/v1"))
        {
            await next(http);
            return;
        }
        if (http.GetEndpoint()?.Metadata.GetMetadata<RawBody>() is { } raw)
        {
            if (MediaTypeHeaderValue.TryParse(request.ContentType, out var given)
                && raw.MediaTypes.Any(m => given.MediaType.Equals(m, StringComparison.OrdinalIgnoreCase)))
                await next(http);
            else
                await RefuseAsync(http, $"must be {string.Join(" or ", raw.MediaTypes)}");
            return;
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !IsJson(type))
        {
            await RefuseAsync(http, "must be application/json");
            return;
        }
        if (type.Charset.HasValue)
        {
            var charset = HeaderUtilities.RemoveQuotes(type.Charset).ToString().Trim();
            if (!charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                await RefuseAsync(http, $"charset '{charset}' is not supported; send JSON as UTF-8");
                return;
            }
            type.Charset = null;
            request.ContentType = type.ToString();
        }
        await next(http);
    });

    private static bool IsJson(MediaTypeHeaderValue type) =>
        type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || (type.Type.Equals("application", StringComparison.OrdinalIgnoreCase) && type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static Task RefuseAsync(HttpContext http, string message) =>
        Results.Problem(
            title: "The request has invalid fields",
            detail: $"Content-Type: {message}",
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["Content-Type"] = [message] } })
        .ExecuteAsync(http);
}
