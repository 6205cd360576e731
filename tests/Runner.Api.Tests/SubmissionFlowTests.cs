using System.Security.Cryptography;
using System.Text;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>Submissions through the API, queued in Hangfire on PostgreSQL and judged by its worker.</summary>
[Collection("Service")]
public sealed class SubmissionFlowTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Wait_true_answers_200_with_the_finished_result()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var r = await host.Client().PostJson("/api/v1/submissions?wait=true", new
        {
            language = TestHosts.Python,
            source = Programs.EchoPython,
            stdin = "42\n",
            expected_output = "42\n",
        });
        var body = await r.Expect(200);
        Assert.Equal("finished", body.GetProperty("status").GetString());
        Assert.Equal("accepted", body.GetProperty("verdict").GetString());
        Assert.Equal(1, body.GetProperty("tests").GetArrayLength());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, body.GetProperty("started_at").ValueKind);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, body.GetProperty("finished_at").ValueKind);
    }

    [Fact]
    public async Task Wait_true_answers_202_when_the_result_is_not_ready_in_time()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["Runner:WaitTimeoutSeconds"] = "0.3",
        });
        var r = await host.Client().PostJson("/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = Programs.SlowEchoPython(3), limits = new { wall_time = 20 } });
        var body = await r.Expect(202);
        Assert.Equal($"/api/v1/submissions/{body.GetProperty("id").GetString()}", r.Headers.Location?.ToString());
    }

    [Fact]
    public async Task A_wait_that_times_out_reports_the_submissions_real_status()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["Runner:WaitTimeoutSeconds"] = "4",
        });
        var r = await host.Client().PostJson("/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = Programs.SlowEchoPython(8), limits = new { wall_time = 20 } });
        var body = await r.Expect(202);
        Assert.Equal("running", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_finished_submission_shows_how_many_attempts_judged_it()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var body = await (await host.Client().PostJson("/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = "print(1)" })).Expect(200);
        Assert.Equal(1, body.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_polled_submission_goes_queued_then_running_with_the_current_test_then_finished()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        var r = await client.PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = Programs.SlowEchoPython(1.5),
            limits = new { wall_time = 20 },
            tests = new[] { new { name = "first", input = "a", expected_output = "a" }, new { name = "second", input = "b", expected_output = "b" } },
        });
        var accepted = await r.Expect(202);
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/submissions/{id}", r.Headers.Location?.ToString());

        var sawTest = false;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !sawTest)
        {
            var s = await (await client.GetAsync($"/api/v1/submissions/{id}")).Expect(200);
            if (s.GetProperty("status").GetString() == "running" &&
                s.GetProperty("progress") is { ValueKind: System.Text.Json.JsonValueKind.Object } p &&
                p.GetProperty("test").GetString() is "first" or "second")
                sawTest = true;
            await Task.Delay(50);
        }
        Assert.True(sawTest, "progress (running, with the current test) was never visible");

        var done = await Programs.PollUntilFinishedAsync(client, id, TimeSpan.FromSeconds(60));
        Assert.Equal("accepted", done.GetProperty("verdict").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, done.GetProperty("progress").ValueKind);
    }

    [Fact]
    public async Task A_batch_is_queued_together_and_read_back_together()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        var r = await client.PostJson("/api/v1/submissions/batch", new
        {
            submissions = new object[]
            {
                new { language = TestHosts.Python, source = Programs.EchoPython, stdin = "1", expected_output = "1" },
                new { language = TestHosts.Python, source = Programs.EchoPython, stdin = "1", expected_output = "2" },
            },
        });
        var body = await r.Expect(202);
        var ids = body.GetProperty("submissions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        Assert.Equal(2, ids.Count);
        foreach (var id in ids) await Programs.PollUntilFinishedAsync(client, id, TimeSpan.FromSeconds(60));

        var batch = await (await client.GetAsync(r.Headers.Location!.ToString())).Expect(200);
        var verdicts = batch.GetProperty("submissions").EnumerateArray().Select(s => s.GetProperty("verdict").GetString()).ToList();
        Assert.Equal(["accepted", "wrong_answer"], verdicts);
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_is_a_400_naming_that_item()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var r = await host.Client().PostJson("/api/v1/submissions/batch", new
        {
            submissions = new object[] { new { language = TestHosts.Python, source = "x" }, new { language = "nope", source = "x" } },
        });
        var errors = (await r.Expect(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("submissions[1].language", out _), errors.ToString());
    }

    [Fact]
    public async Task The_result_is_posted_signed_to_the_callback_url_and_retried_after_a_failure()
    {
        await using var listener = new CallbackListener { FailFirst = 1 };
        const string secret = "callback-secret";
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["Runner:CallbackAllowedHosts:0"] = "127.0.0.1",
            ["Runner:Callbacks:Secret"] = secret,
            ["Runner:Callbacks:FirstBackoffSeconds"] = "0.2",
        });
        var r = await host.Client().PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = Programs.EchoPython,
            stdin = "x",
            expected_output = "x",
            callback_url = listener.Url,
        });
        var id = (await r.Expect(202)).GetProperty("id").GetString();

        var received = await listener.WaitForAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(id, received.Submission);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(received.Body)));
        Assert.Equal(expected, received.Signature);
        var body = System.Text.Json.JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal("finished", body.GetProperty("status").GetString());
        Assert.Equal("accepted", body.GetProperty("verdict").GetString());
        await Task.Delay(500);
        Assert.Single(listener.Requests);
    }
}
