using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Runner.Playground.Tests.Infrastructure;

/// <summary>
/// The real Runner.Api host on real Kestrel (a browser needs a socket), with both roles, the
/// in-memory store and real boxes, and an API key configured: the setup a teacher trying Runner
/// on one machine has, plus the key, so every test also shows the page working with keys.
/// </summary>
public sealed class PlaygroundHost : WebApplicationFactory<Program>
{
    public const string ApiKey = "playground-test-key";

    public PlaygroundHost() => UseKestrel(0);

    public Uri Url { get; private set; } = null!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Runner", "");
        builder.UseSetting("Runner:ApiKeys:0", ApiKey);
        builder.UseSetting("Runner:CgroupParent", "runner-playground-tests");
        builder.UseSetting("Runner:Queue:Workers", "2");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    /// <summary>Starts Kestrel and waits until the host's own worker has recorded the languages it can judge.</summary>
    public async Task StartAsync(IReadOnlyCollection<string> languages, TimeSpan timeout)
    {
        StartServer();
        // Kestrel on port 0: the address it bound is the one the browser must use.
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        using var client = new HttpClient { BaseAddress = Url };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var listed = await client.GetFromJsonAsync<JsonElement>("/api/v1/languages");
            var ids = listed.EnumerateArray().Select(l => l.GetProperty("id").GetString()).ToHashSet();
            if (languages.All(ids.Contains)) return;
            Assert.True(DateTime.UtcNow < deadline, $"the host's worker did not record {string.Join(", ", languages)} within {timeout} (it has: {string.Join(", ", ids)})");
            await Task.Delay(200);
        }
    }
}
