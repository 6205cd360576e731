using Microsoft.Extensions.Options;
using Runner.Api.Hosting;

namespace Runner.Api.Callbacks;

/// <summary>
/// Which URLs a callback may go to. Only hosts named in Runner:CallbackAllowedHosts, so a
/// submission cannot turn the service into a proxy into its own network (SSRF).
/// </summary>
public sealed class CallbackPolicy(IOptions<RunnerOptions> options)
{
    /// <summary>Null when allowed; otherwise why not.</summary>
    public string? Check(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "must be an absolute http or https URL";
        if (!string.IsNullOrEmpty(uri.UserInfo))
            return "must not contain credentials";
        var allowed = options.Value.CallbackAllowedHosts;
        if (!allowed.Any(h => string.Equals(h, uri.Host, StringComparison.OrdinalIgnoreCase)))
            return allowed.Count == 0
                ? "callbacks are disabled: no host is allowed by Runner:CallbackAllowedHosts"
                : $"host '{uri.Host}' is not in Runner:CallbackAllowedHosts";
        return null;
    }
}
