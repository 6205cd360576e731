using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;

namespace Runner.Api.Security;

/// <summary>
/// Checks X-Api-Key against Runner:ApiKeys on every /api call. With no keys configured the API
/// is open; start-up logs a warning saying so.
/// </summary>
public sealed class ApiKeys(IOptions<RunnerOptions> options)
{
    public const string Header = "X-Api-Key";

    private readonly byte[][] _keys = options.Value.ApiKeys.Where(k => !string.IsNullOrEmpty(k)).Select(Encoding.UTF8.GetBytes).ToArray();

    public bool Configured => _keys.Length > 0;

    /// <summary>Names a key without revealing it (a dashboard session stores this, not the key).</summary>
    public static string Fingerprint(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("runner-dashboard:" + key)));

    /// <summary>Whether a fingerprint belongs to a key still configured.</summary>
    public bool IsCurrentFingerprint(string? fingerprint)
    {
        if (string.IsNullOrEmpty(fingerprint)) return false;
        var presented = Encoding.ASCII.GetBytes(fingerprint);
        var ok = false;
        foreach (var k in _keys) ok |= CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(Fingerprint(Encoding.UTF8.GetString(k))));
        return ok;
    }

    /// <summary>Constant-time against each key, so response timing does not reveal key prefixes.</summary>
    public bool IsValid(string? presented)
    {
        if (string.IsNullOrEmpty(presented)) return false;
        var bytes = Encoding.UTF8.GetBytes(presented);
        var ok = false;
        foreach (var k in _keys) ok |= CryptographicOperations.FixedTimeEquals(bytes, k);
        return ok;
    }
}

public sealed class ApiKeyFilter(ApiKeys keys) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!keys.Configured || keys.IsValid(context.HttpContext.Request.Headers[ApiKeys.Header])) return await next(context);
        return TypedResults.Problem(
            detail: $"send a valid API key in the {ApiKeys.Header} header",
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized");
    }
}
