using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Runner.Api.Tests.Infrastructure;

/// <summary>
/// The real Runner.Api host in process (WebApplicationFactory), on a real PostgreSQL database,
/// with its real Hangfire server when it has the worker role. Settings are passed with
/// UseSetting so Program sees them while it builds (before Build()).
/// </summary>
public sealed class RunnerHost : WebApplicationFactory<Program>
{
    public const string CgroupParent = "runner-service-tests";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public RunnerHost(string connectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Runner"] = connectionString,
            ["Runner:CgroupParent"] = CgroupParent,
            ["Runner:Queue:Workers"] = "2",
            ["Runner:WaitTimeoutSeconds"] = "60",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) _settings[k] = v;
        _services = services;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
        if (_services is not null) builder.ConfigureTestServices(_services);
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>An HTTP client that sends <paramref name="apiKey"/> when given.</summary>
    public HttpClient Client(string? apiKey = null)
    {
        var c = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        c.Timeout = TimeSpan.FromMinutes(3);
        if (apiKey is not null) c.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return c;
    }
}

public static class HttpJson
{
    public static Task<HttpResponseMessage> PostJson(this HttpClient c, string url, object body) =>
        c.PostAsJsonAsync(url, body, RunnerHost.Json);

    public static async Task<JsonElement> Body(this HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"HTTP {(int)r.StatusCode} body is not JSON: {text}");
        }
    }

    public static async Task<JsonElement> Expect(this HttpResponseMessage r, int status)
    {
        var body = await r.Body();
        Assert.True((int)r.StatusCode == status, $"expected HTTP {status}, got {(int)r.StatusCode}: {body}");
        return body;
    }
}
