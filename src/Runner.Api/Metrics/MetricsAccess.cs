using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Runner.Api.Metrics;

/// <summary>
/// Who may scrape /metrics: a client on an allowed network (loopback by default) or one that
/// presents the metrics key as a bearer token (Prometheus' <c>authorization</c> setting). The
/// API keys play no part: an API with no keys configured is open, its metrics are not.
/// </summary>
public sealed class MetricsAccess
{
    private static readonly string[] Loopback = ["127.0.0.0/8", "::1/128"];
    private readonly IReadOnlyList<IPNetwork> _networks;
    private readonly byte[]? _key;

    public MetricsAccess(IOptions<MetricsOptions> options)
    {
        var o = options.Value;
        _networks = (o.AllowedNetworks ?? Loopback).Select(Parse).ToList();
        _key = string.IsNullOrEmpty(o.Key) ? null : Encoding.UTF8.GetBytes(o.Key);
    }

    public bool Allows(HttpContext http)
    {
        if (_key is not null && http.Request.Headers.Authorization.ToString() is { } auth
            && auth.StartsWith("Bearer ", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(auth["Bearer ".Length..].Trim()), _key))
            return true;
        if (http.Connection.RemoteIpAddress is not { } ip) return false;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        return _networks.Any(n => n.Contains(ip));
    }

    public static async Task RefuseAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(
            title: "Metrics are closed to this client",
            detail: "Scrape from a network in Runner:Metrics:AllowedNetworks (loopback by default) or send Authorization: Bearer with Runner:Metrics:Key.",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(http);
    }

    private static IPNetwork Parse(string text) =>
        IPNetwork.TryParse(text.Trim(), out var network)
            ? network
            : throw new InvalidOperationException($"{MetricsOptions.Section}:AllowedNetworks: expected a network like 10.0.0.0/8 or ::1/128, got '{text}'");
}
