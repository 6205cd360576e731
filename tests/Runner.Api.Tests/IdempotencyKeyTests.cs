using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>Idempotency-Key: a client that repeats a POST it is unsure of gets the first submission back.</summary>
[Collection("Service")]
public sealed class IdempotencyKeyTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    public static TheoryData<bool> Stores => new() { true, false };

    /// <summary>PostgreSQL: an api-only host with a recorded (absent) python worker. In memory: api and worker in one host.</summary>
    private async Task<RunnerHost> HostAsync(bool postgresStore)
    {
        if (!postgresStore)
        {
            var both = TestHosts.Api("");
            await AbsentWorker.WaitUntilListedAsync(both.Client(), TimeSpan.FromSeconds(60), TestHosts.Python);
            return both;
        }
        var db = await postgres.CreateDatabaseAsync();
        var host = TestHosts.Api(db, new Dictionary<string, string?> { ["Runner:Roles"] = "api" });
        await AbsentWorker.RecordAsync(db, host.Client(), TestHosts.Python);
        return host;
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string url, string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = System.Net.Http.Json.JsonContent.Create(body, options: RunnerHost.Json) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task The_same_key_posted_twice_gives_one_submission(bool postgresStore)
    {
        await using var host = await HostAsync(postgresStore);
        var client = host.Client();
        var key = Guid.NewGuid().ToString();
        var submission = new { language = TestHosts.Python, source = "print(1)" };
        var first = await (await Post(client, "/api/v1/submissions", key, submission)).Expect(202);
        var again = await Post(client, "/api/v1/submissions", key, submission);
        var second = await again.Expect(202);
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal($"/api/v1/submissions/{first.GetProperty("id").GetString()}", again.Headers.Location?.ToString());

        var other = await (await Post(client, "/api/v1/submissions", Guid.NewGuid().ToString(), submission)).Expect(202);
        Assert.NotEqual(first.GetProperty("id").GetString(), other.GetProperty("id").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task The_same_key_with_a_different_submission_is_a_422(bool postgresStore)
    {
        await using var host = await HostAsync(postgresStore);
        var client = host.Client();
        var key = Guid.NewGuid().ToString();
        await (await Post(client, "/api/v1/submissions", key, new { language = TestHosts.Python, source = "print(1)" })).Expect(202);
        var r = await Post(client, "/api/v1/submissions", key, new { language = TestHosts.Python, source = "print(2)" });
        var body = await r.Expect(422);
        Assert.Contains(key, body.GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_repeated_batch_key_returns_the_same_submissions_in_order(bool postgresStore)
    {
        await using var host = await HostAsync(postgresStore);
        var client = host.Client();
        var key = Guid.NewGuid().ToString();
        var batch = new { submissions = new[] { new { language = TestHosts.Python, source = "print(1)" }, new { language = TestHosts.Python, source = "print(2)" } } };
        var first = await (await Post(client, "/api/v1/submissions/batch", key, batch)).Expect(202);
        var second = await (await Post(client, "/api/v1/submissions/batch", key, batch)).Expect(202);
        static string Ids(System.Text.Json.JsonElement b) => string.Join(',', b.GetProperty("submissions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(Ids(first), Ids(second));
    }

    [Fact]
    public async Task A_malformed_key_is_a_400_naming_the_header()
    {
        await using var host = await HostAsync(postgresStore: false);
        var r = await Post(host.Client(), "/api/v1/submissions", new string('k', 201), new { language = TestHosts.Python, source = "print(1)" });
        var body = await r.Expect(400);
        Assert.True(body.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), body.ToString());
    }
}
