using System.Net;
using System.Text;
using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>The HTTP contract: auth, problem+json errors, 404, 503, OpenAPI, health, languages.</summary>
[Collection("Service")]
public sealed class ApiContractTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Key = "test-key-1";

    private async Task<RunnerHost> HostAsync(IDictionary<string, string?>? settings = null) =>
        TestHosts.Api(await postgres.CreateDatabaseAsync(), settings);

    [Fact]
    public async Task Api_calls_without_a_valid_key_are_401_problems_when_keys_are_configured()
    {
        await using var host = await HostAsync(new Dictionary<string, string?> { ["Runner:ApiKeys:0"] = Key });
        foreach (var client in new[] { host.Client(), host.Client("wrong-key") })
        {
            var r = await client.GetAsync("/api/v1/languages");
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            var post = await client.PostJson("/api/v1/submissions", new { language = "python", source = "print(1)" });
            Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        }
        var ok = await host.Client(Key).GetAsync("/api/v1/languages");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task The_hangfire_dashboard_is_refused_without_a_key_and_open_with_one()
    {
        await using var host = await HostAsync(new Dictionary<string, string?> { ["Runner:ApiKeys:0"] = Key });
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client().GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client(Key).GetAsync("/hangfire")).StatusCode);

        await using var open = await HostAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await open.Client().GetAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_language_is_a_400_problem_naming_the_language_field()
    {
        await using var host = await HostAsync();
        var r = await host.Client().PostJson("/api/v1/submissions", new { language = "cobol-77", source = "x" });
        var body = await r.Expect(400);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains("cobol-77", body.GetProperty("errors").GetProperty("language")[0].GetString());
    }

    [Theory]
    [InlineData("this is not json", "body")]
    [InlineData("{\"language\": \"python\", \"source\": ", "body")]
    [InlineData("{\"language\": \"python\", \"source\": \"x\", \"limits\": {\"time\": \"fast\"}}", "limits.time")]
    [InlineData("{\"language\": \"python\", \"source\": \"x\", \"stdn\": \"1\"}", "stdn")]
    public async Task Malformed_json_is_a_400_problem_naming_the_field(string json, string field)
    {
        await using var host = await HostAsync();
        var r = await host.Client().PostAsync("/api/v1/submissions", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await r.Expect(400);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {body}");
    }

    [Fact]
    public async Task Limits_above_the_server_maxima_are_400_problems_naming_each_field()
    {
        await using var host = await HostAsync();
        var r = await host.Client().PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = "print(1)",
            limits = new { time = 1000, wall_time = 1000, memory = 1L << 40, pids = 100000, output = 1L << 40 },
        });
        var errors = (await r.Expect(400)).GetProperty("errors");
        foreach (var f in new[] { "limits.time", "limits.wall_time", "limits.memory", "limits.pids", "limits.output" })
            Assert.True(errors.TryGetProperty(f, out _), $"errors should name {f}: {errors}");
    }

    [Fact]
    public async Task Source_and_tests_over_the_size_caps_are_400_problems()
    {
        await using var host = await HostAsync(new Dictionary<string, string?>
        {
            ["Runner:Limits:MaxSourceBytes"] = "100",
            ["Runner:Limits:MaxTestsBytes"] = "100",
        });
        var r = await host.Client().PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = new string('#', 101),
            tests = new[] { new { input = new string('1', 60), expected_output = new string('1', 60) } },
        });
        var errors = (await r.Expect(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("source", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("tests", out _), errors.ToString());
    }

    [Fact]
    public async Task An_unknown_submission_id_is_a_404_problem()
    {
        await using var host = await HostAsync();
        var id = Guid.NewGuid();
        var r = await host.Client().GetAsync($"/api/v1/submissions/{id}");
        var body = await r.Expect(404);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains(id.ToString(), body.GetProperty("detail").GetString());
        await (await host.Client().GetAsync($"/api/v1/submissions/batch?ids={id}")).Expect(404);
    }

    [Fact]
    public async Task A_queue_over_its_bound_answers_503_with_retry_after()
    {
        // API role only: nothing drains the queue, so the second submission finds it full.
        var db = await postgres.CreateDatabaseAsync();
        await using var host = TestHosts.Api(db, new Dictionary<string, string?>
        {
            ["Runner:Roles"] = "api",
            ["Runner:Queue:MaxPending"] = "1",
            ["Runner:Queue:RetryAfterSeconds"] = "7",
        });
        var client = host.Client();
        await AbsentWorker.RecordAsync(db, client, TestHosts.Python);
        var submission = new { language = TestHosts.Python, source = "print(1)" };
        await (await client.PostJson("/api/v1/submissions", submission)).Expect(202);
        var r = await client.PostJson("/api/v1/submissions", submission);
        await r.Expect(503);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(7), r.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_callback_url_to_a_host_not_allowed_is_a_400_naming_callback_url()
    {
        await using var host = await HostAsync(new Dictionary<string, string?> { ["Runner:CallbackAllowedHosts:0"] = "127.0.0.1" });
        var r = await host.Client().PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = "print(1)", callback_url = "http://169.254.169.254/latest" });
        var errors = (await r.Expect(400)).GetProperty("errors");
        Assert.Contains("169.254.169.254", errors.GetProperty("callback_url")[0].GetString());
    }

    [Fact]
    public async Task The_served_openapi_document_equals_the_committed_api_openapi_json()
    {
        await using var host = await HostAsync();
        var served = await host.Client().GetStringAsync("/openapi/v1.json");
        var path = Path.Combine(RepoPaths.Root, "api", "openapi.json");
        if (Environment.GetEnvironmentVariable("RUNNER_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(path, served.TrimEnd() + "\n");
        Assert.True(File.Exists(path), $"{path} is missing; run the tests once with RUNNER_UPDATE_OPENAPI=1 to write it");
        var committed = await File.ReadAllTextAsync(path);
        Assert.True(committed.TrimEnd() == served.TrimEnd(),
            "api/openapi.json differs from the served /openapi/v1.json; if the change is intended, rerun with RUNNER_UPDATE_OPENAPI=1 and commit the file");
        Assert.Equal(HttpStatusCode.OK, (await host.Client().GetAsync("/swagger/index.html")).StatusCode);
    }

    [Fact]
    public async Task Health_live_is_up_and_ready_checks_the_database_and_a_real_box()
    {
        await using var host = await HostAsync();
        var client = host.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await (await client.GetAsync("/health/ready")).Expect(200);
        Assert.Equal("healthy", ready.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Contains("ran in a box", ready.GetProperty("checks").GetProperty("sandbox").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Languages_lists_only_available_languages_with_versions()
    {
        await using var host = await HostAsync();
        var list = await (await host.Client().GetAsync("/api/v1/languages")).Expect(200);
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        var python = list.EnumerateArray().Single(l => l.GetProperty("id").GetString() == TestHosts.Python);
        Assert.False(string.IsNullOrWhiteSpace(python.GetProperty("version").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(python.GetProperty("name").GetString()));
    }
}
