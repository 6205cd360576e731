using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// The api role needs no sandbox privileges: an API host running as nobody, with no
/// capabilities, learns languages from a worker elsewhere (here a root worker process on the
/// same database) and judges through it.
/// </summary>
[Collection("Service")]
public sealed class UnprivilegedApiTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const int Nobody = 65534;

    [Fact]
    public async Task An_api_only_host_running_as_nobody_takes_its_languages_from_a_worker_elsewhere()
    {
        var db = await postgres.CreateDatabaseAsync();
        using var api = new ApiProcess(db, uid: Nobody);
        var client = await api.ClientAsync(TimeSpan.FromSeconds(60));
        Assert.Contains($"Uid:\t{Nobody}\t", await File.ReadAllTextAsync($"/proc/{api.Pid}/status"));

        // Before any worker: ready (it needs only the database), no languages, and a refusal that says why.
        var ready = await (await client.GetAsync("/health/ready")).Expect(200);
        Assert.Equal("degraded", ready.GetProperty("checks").GetProperty("workers").GetProperty("status").GetString());
        Assert.False(ready.GetProperty("checks").TryGetProperty("sandbox", out _), ready.ToString());
        Assert.Empty((await (await client.GetAsync("/api/v1/languages")).Expect(200)).EnumerateArray());
        var refused = await (await client.PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = "print(1)" })).Expect(400);
        Assert.Contains("no live worker", refused.GetProperty("errors").GetProperty("language")[0].GetString());

        using var worker = new WorkerProcess(db);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        JsonElement languages;
        while (!(languages = await (await client.GetAsync("/api/v1/languages")).Expect(200)).EnumerateArray().Any(l => l.GetProperty("id").GetString() == TestHosts.Python))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the worker's languages never reached the API\nworker log:\n{worker.Log}\napi log:\n{api.Log}");
            await Task.Delay(200);
        }
        Assert.False(string.IsNullOrEmpty(languages.EnumerateArray().First(l => l.GetProperty("id").GetString() == TestHosts.Python).GetProperty("version").GetString()));

        var id = (await (await client.PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = Programs.EchoPython,
            stdin = "nobody",
            expected_output = "nobody",
        })).Expect(202)).GetProperty("id").GetString()!;
        var done = await Programs.PollUntilFinishedAsync(client, id, TimeSpan.FromSeconds(90));
        Assert.True(done.GetProperty("verdict").GetString() == "accepted", $"{done}\nworker log:\n{worker.Log}");

        var unknown = await (await client.PostJson("/api/v1/submissions", new { language = "cobol-77", source = "x" })).Expect(400);
        Assert.Contains("no live worker can judge it", unknown.GetProperty("errors").GetProperty("language")[0].GetString());
        var readyNow = await (await client.GetAsync("/health/ready")).Expect(200);
        Assert.Equal("healthy", readyNow.GetProperty("checks").GetProperty("workers").GetProperty("status").GetString());
    }
}
