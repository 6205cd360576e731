using Microsoft.Net.Http.Headers;

namespace Runner.Api.Playground;

/// <summary>
/// The playground at <c>/</c>: a page that calls this API from the browser, and its files under
/// <c>/playground/</c>. Every answer carries a Content-Security-Policy that allows this origin
/// only, so the page can load, run and send nothing anywhere else (no CDN, no inline script).
/// </summary>
public static class PlaygroundApi
{
    /// <summary>
    /// 'self' only. style-src has no 'unsafe-inline': CodeMirror installs its styles as
    /// constructed style sheets and sets element styles through the CSSOM, which CSP allows.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication MapPlayground(this WebApplication app)
    {
        var assets = app.Services.GetRequiredService<PlaygroundAssets>();
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext http) => Serve(http, assets.Find(PlaygroundAssets.Page)!))
            .ExcludeFromDescription();
        app.MapMethods("/playground/{name}", [HttpMethods.Get, HttpMethods.Head], (string name, HttpContext http) =>
            assets.Find(name) is { } asset && asset.Name != PlaygroundAssets.Page ? Serve(http, asset) : Results.NotFound())
            .ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext http, PlaygroundAssets.Asset asset)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ETag = asset.ETag;
        headers.Vary = HeaderNames.AcceptEncoding;
        // A versioned URL names exactly these bytes, so it may be cached for good; the page and
        // an unversioned URL are revalidated on every use (a cheap 304 through the ETag).
        headers.CacheControl = asset.Name != PlaygroundAssets.Page && http.Request.Query["v"] == asset.Hash
            ? "public, max-age=31536000, immutable"
            : "no-cache";
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() is var s && (s == asset.ETag || s == "*"))))
            return Results.StatusCode(StatusCodes.Status304NotModified);

        var gzip = asset.Compressible && http.Request.Headers.AcceptEncoding.Any(v => v is not null && v.Contains("gzip", StringComparison.OrdinalIgnoreCase));
        if (gzip) headers.ContentEncoding = "gzip";
        return Results.Bytes(gzip ? asset.Gzip : asset.Content, asset.ContentType);
    }
}
