using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
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

    /// <summary>Stores a problem whose tests are 1, 2, 3... (README "Problems"): a zip of tests/N.in and tests/N.out.</summary>
    public async Task<HttpStatusCode> PutProblemAsync(string id, params (string Input, string Answer)[] tests)
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (test, n) in tests.Select((t, i) => (t, i + 1)))
            {
                foreach (var (name, text) in new[] { ($"tests/{n}.in", test.Input), ($"tests/{n}.out", test.Answer) })
                {
                    using var entry = archive.CreateEntry(name).Open();
                    entry.Write(Encoding.UTF8.GetBytes(text));
                }
            }
        using var client = new HttpClient { BaseAddress = Url };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        var content = new ByteArrayContent(zip.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return (await client.PutAsync($"/api/v1/problems/{id}", content)).StatusCode;
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
