using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Compat.Tests.Infrastructure;

/// <summary>
/// One real Runner host (API + worker with real boxes, real PostgreSQL, real Hangfire) shared
/// by the compatibility tests, with callbacks allowed to loopback. Starting it once keeps the
/// suite to seconds.
/// </summary>
public sealed class CompatFixture : IAsyncLifetime
{
    public PostgresServer Postgres { get; } = new();
    public RunnerHost Host { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        ConnectionString = await Postgres.CreateDatabaseAsync();
        Host = new RunnerHost(ConnectionString, new Dictionary<string, string?> { ["Runner:CallbackAllowedHosts:0"] = "127.0.0.1" });
        await WaitForLanguagesAsync(Host.Client());
    }

    /// <summary>
    /// Runs <paramref name="body"/> against a second host on the same database (other settings),
    /// then disposes it. Hangfire keeps its log provider in a static that the newest host sets, so
    /// it is pointed back at the shared host: left at the disposed one, every enqueue would fail.
    /// </summary>
    public async Task WithHostAsync(IDictionary<string, string?> settings, Func<RunnerHost, Task> body)
    {
        var host = new RunnerHost(ConnectionString, settings);
        try
        {
            await body(host);
        }
        finally
        {
            await host.DisposeAsync();
            GlobalConfiguration.Configuration.UseLogProvider(
                new Hangfire.AspNetCore.AspNetCoreLogProvider(Host.Services.GetRequiredService<ILoggerFactory>()));
        }
    }

    /// <summary>Until the worker has recorded its languages, Judge0 knows no language id.</summary>
    public static async Task WaitForLanguagesAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var (status, body) = await client.GetJsonAsync("/languages");
            if (status == 200 && body.GetArrayLength() > 0) return;
            Assert.True(DateTime.UtcNow < deadline, $"no language appeared in /languages: HTTP {status} {body}");
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

[CollectionDefinition("Compat")]
public sealed class CompatCollection : ICollectionFixture<CompatFixture>;

public static class CompatHttpExtensions
{
    public static async Task<(int Status, JsonElement Body)> GetJsonAsync(this HttpClient c, string url)
    {
        var r = await c.GetAsync(url);
        return ((int)r.StatusCode, await ReadAsync(r));
    }

    /// <summary>POSTs text as given, with the Content-Type given (null: none at all).</summary>
    public static async Task<(int Status, JsonElement Body)> PostTextAsync(this HttpClient c, string url, string body, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var r = await c.PostAsync(url, content);
        return ((int)r.StatusCode, await ReadAsync(r));
    }

    public static Task<(int Status, JsonElement Body)> PostJsonAsync(this HttpClient c, string url, object body) =>
        c.PostTextAsync(url, JsonSerializer.Serialize(body));

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage r)
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

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static byte[] Unb64(JsonElement e) => Convert.FromBase64String(e.GetString()!);
}
