using System.Text;
using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>POST /api/v1/runs through the queue: executed by a worker, with steps in one /box.</summary>
[Collection("Service")]
public sealed class QueuedRunsTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const int Nobody = 65534;

    [Fact]
    public async Task A_run_is_executed_by_a_worker_process_for_an_api_host_without_sandbox_rights()
    {
        var db = await postgres.CreateDatabaseAsync();
        using var api = new ApiProcess(db, uid: Nobody);
        using var worker = new WorkerProcess(db);
        var client = await api.ClientAsync(TimeSpan.FromSeconds(60));

        var waited = await (await client.PostJson("/api/v1/runs?wait=true", new { command = new[] { "sh", "-c", "hostname; cat" }, stdin = "in" })).Expect(200);
        Assert.True(waited.GetProperty("status").GetString() == "ok", $"{waited}\nworker log:\n{worker.Log}");
        Assert.Equal("sandbox\nin", waited.GetProperty("stdout").GetString());
        Assert.False(waited.TryGetProperty("steps", out _), "a single command's answer has no steps");

        var accepted = await client.PostJson("/api/v1/runs", new { command = new[] { "sh", "-c", "echo queued" } });
        var body = await accepted.Expect(202);
        Assert.Equal("queued", body.GetProperty("status").GetString());
        var location = accepted.Headers.Location!.ToString();
        Assert.Equal($"/api/v1/runs/{body.GetProperty("id").GetString()}", location);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement run;
        while ((run = await (await client.GetAsync(location)).Expect(200)).GetProperty("status").GetString() != "finished")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the run did not finish: {run}");
            await Task.Delay(100);
        }
        Assert.Equal("queued\n", run.GetProperty("result").GetProperty("stdout").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("error").ValueKind);
        await (await client.GetAsync($"/api/v1/runs/{Guid.NewGuid()}")).Expect(404);
    }

    [Fact]
    public async Task Three_steps_share_one_box_each_with_its_limits_and_the_run_stops_at_the_first_failure_unless_told_to_continue()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        object Steps(bool testPasses, bool continueOnFailure) => new
        {
            files = new Dictionary<string, object> { ["src/add.sh"] = new { content = "echo $(( $1 + $2 ))\n" } },
            steps = new object[]
            {
                new { command = new[] { "sh", "-c", "mkdir bin && cp src/add.sh bin/add && chmod +x bin/add && echo built" } },
                new
                {
                    command = new[] { "sh", "-c", testPasses ? "bin/add 2 3 > out.txt" : "bin/add 2 3 > out.txt; sleep 5" },
                    limits = new { time = 1, wall_time = 0.5 },
                    continue_on_failure = continueOnFailure,
                },
                new { command = new[] { "sh", "-c", "read want; [ \"$(cat out.txt)\" = \"$want\" ] && echo 'score 1' > grade.txt; cat grade.txt" }, stdin = "5\n" },
            },
            limits = new { time = 2 },
            copy_out = new[] { "grade.txt", "out.txt" },
        };

        var passed = await (await client.PostJson("/api/v1/runs?wait=true", Steps(testPasses: true, continueOnFailure: false))).Expect(200);
        var steps = passed.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["ok", "ok", "ok"], steps.Select(s => s.GetProperty("status").GetString()));
        Assert.Equal("built\n", steps[0].GetProperty("stdout").GetString());
        // The top-level result is the last step's; copy_out comes after it.
        Assert.Equal("score 1\n", passed.GetProperty("stdout").GetString());
        Assert.Equal(["score 1\n", "5\n"], passed.GetProperty("files").EnumerateArray().Select(f => Encoding.UTF8.GetString(Convert.FromBase64String(f.GetProperty("base64").GetString()!))));

        var stopped = await (await client.PostJson("/api/v1/runs?wait=true", Steps(testPasses: false, continueOnFailure: false))).Expect(200);
        Assert.Equal(["ok", "wall_time_limit"], stopped.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        Assert.Equal("wall_time_limit", stopped.GetProperty("status").GetString());
        Assert.Equal("5\n", Encoding.UTF8.GetString(Convert.FromBase64String(stopped.GetProperty("files")[1].GetProperty("base64").GetString()!)));
        Assert.NotEqual(JsonValueKind.Null, stopped.GetProperty("files")[0].GetProperty("error").ValueKind);

        var continued = await (await client.PostJson("/api/v1/runs?wait=true", Steps(testPasses: false, continueOnFailure: true))).Expect(200);
        Assert.Equal(["ok", "wall_time_limit", "ok"], continued.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("status").GetString()));

        var missing = await (await client.PostJson("/api/v1/runs?wait=true", new { steps = new object[] { new { command = new[] { "true" } }, new { command = new[] { "no-such-program-anywhere" } } } })).Expect(400);
        Assert.True(missing.GetProperty("errors").TryGetProperty("steps[1].command", out _), missing.ToString());
        var both = await (await client.PostJson("/api/v1/runs", new { command = new[] { "true" }, steps = new object[] { new { command = new[] { "true" } } } })).Expect(400);
        Assert.True(both.GetProperty("errors").TryGetProperty("command", out _), both.ToString());
    }
}
