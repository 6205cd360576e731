using System.Diagnostics;
using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>GET /api/v1/submissions (filters, cursor paging) and DELETE (cancel a queued or running one, remove a finished one).</summary>
[Collection("Service")]
public sealed class SubmissionManagementTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    /// <summary>Test "slow" marks itself alive in its /box, then sleeps; the others echo.</summary>
    private const string SlowThirdTest = """
        import sys, time
        x = sys.stdin.read()
        if x == "slow":
            open("alive", "w").write("1")
            time.sleep(60)
        sys.stdout.write(x)
        """;

    [Fact]
    public async Task Delete_cancels_a_queued_and_a_running_submission_and_kills_the_running_box_within_a_second()
    {
        // Judge sessions in a root of our own, so the test can see the running box's directory.
        var workRoot = Directory.CreateDirectory(Path.Combine("/dev/shm", "runner-flow-cancel-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        // Searchable by the boxes' uids (their /box is below it), writable only by us.
        File.SetUnixFileMode(workRoot, (UnixFileMode)0b111_101_101);
        try
        {
            // One judge worker: the second submission stays queued behind the first.
            await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
            {
                ["Runner:Queue:Workers"] = "1",
                ["Runner:WorkRoot"] = workRoot,
            });
            var client = host.Client();
            var running = (await (await client.PostJson("/api/v1/submissions", new
            {
                language = TestHosts.Python,
                source = SlowThirdTest,
                tests = new[]
                {
                    new { name = "a", input = "a", expected_output = "a" },
                    new { name = "b", input = "b", expected_output = "b" },
                    new { name = "slow", input = "slow", expected_output = "slow" },
                },
                limits = new { time = 5, wall_time = 50 },
            })).Expect(202)).GetProperty("id").GetString()!;
            var queued = (await (await client.PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = Programs.EchoPython })).Expect(202)).GetProperty("id").GetString()!;

            // While it runs, GET already shows the tests that finished.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string? alive;
            while ((alive = Directory.EnumerateFiles(workRoot, "alive", SearchOption.AllDirectories).FirstOrDefault()) is null)
            {
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"the slow test never started: {await (await client.GetAsync($"/api/v1/submissions/{running}")).Body()}");
                await Task.Delay(50);
            }
            // Progress is written beside the boxes, not before each one: the slow test's box can be
            // up a moment before its progress is stored.
            JsonElement live;
            while ((live = await (await client.GetAsync($"/api/v1/submissions/{running}")).Expect(200))
                   .GetProperty("progress").GetProperty("test").GetString() != "slow")
            {
                if (DateTime.UtcNow > deadline) Assert.Fail($"the progress never reached the slow test: {live}");
                await Task.Delay(20);
            }
            Assert.Equal("running", live.GetProperty("status").GetString());
            Assert.Equal(["a", "b"], live.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
            Assert.All(live.GetProperty("tests").EnumerateArray(), t => Assert.Equal("accepted", t.GetProperty("verdict").GetString()));
            Assert.Equal("queued", (await (await client.GetAsync($"/api/v1/submissions/{queued}")).Expect(200)).GetProperty("status").GetString());

            var cancelledQueued = await (await client.DeleteAsync($"/api/v1/submissions/{queued}")).Expect(200);
            Assert.Equal("finished", cancelledQueued.GetProperty("status").GetString());
            Assert.Equal("cancelled", cancelledQueued.GetProperty("verdict").GetString());
            Assert.Empty(cancelledQueued.GetProperty("tests").EnumerateArray());

            var clock = Stopwatch.StartNew();
            var cancelled = await (await client.DeleteAsync($"/api/v1/submissions/{running}")).Expect(200);
            Assert.Equal("finished", cancelled.GetProperty("status").GetString());
            Assert.Equal("cancelled", cancelled.GetProperty("verdict").GetString());
            Assert.Equal(2, cancelled.GetProperty("tests").GetArrayLength());
            Assert.Equal(2, cancelled.GetProperty("score").GetDouble());
            // The box's directory goes once the box is dead and the judge has moved on.
            while (File.Exists(alive))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the box still runs {clock.Elapsed} after the DELETE");
                await Task.Delay(10);
            }

            // Its event stream ends with finished, the cancelled submission, after the two tests.
            var events = new List<SseEvent>();
            await foreach (var e in EventStream.ReadAsync(client, $"/api/v1/submissions/{running}/events")) events.Add(e);
            Assert.Equal(["queued", "compiling", "compiled", "test", "test", "finished"], events.Select(e => e.Type));
            Assert.Equal("cancelled", events[^1].Data.GetProperty("verdict").GetString());

            // The queued one's job finds it finished and judges nothing; a finished one is removed.
            Assert.Equal(204, (int)(await client.DeleteAsync($"/api/v1/submissions/{running}")).StatusCode);
            await (await client.GetAsync($"/api/v1/submissions/{running}")).Expect(404);
            await (await client.DeleteAsync($"/api/v1/submissions/{running}")).Expect(404);
            var later = await (await client.GetAsync($"/api/v1/submissions/{queued}")).Expect(200);
            Assert.Equal("cancelled", later.GetProperty("verdict").GetString());
            Assert.Equal(0, later.GetProperty("attempts").GetInt32());
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
    }

    [Fact]
    public async Task A_worker_process_kills_the_box_of_a_submission_cancelled_through_a_separate_api_process_within_a_second()
    {
        var workRoot = Directory.CreateDirectory(Path.Combine("/dev/shm", "runner-flow-cancel-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        File.SetUnixFileMode(workRoot, (UnixFileMode)0b111_101_101);
        try
        {
            var db = await postgres.CreateDatabaseAsync();
            using var api = new ApiProcess(db);
            using var worker = new WorkerProcess(db, new Dictionary<string, string> { ["Runner:WorkRoot"] = workRoot });
            var client = await api.ClientAsync(TimeSpan.FromSeconds(60));
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (!(await (await client.GetAsync("/api/v1/languages")).Expect(200)).EnumerateArray().Any(l => l.GetProperty("id").GetString() == TestHosts.Python))
            {
                Assert.True(DateTime.UtcNow < deadline, $"the worker's languages never reached the API\nworker log:\n{worker.Log}");
                await Task.Delay(200);
            }
            var id = (await (await client.PostJson("/api/v1/submissions", new
            {
                language = TestHosts.Python,
                source = SlowThirdTest,
                stdin = "slow",
                limits = new { time = 5, wall_time = 50 },
            })).Expect(202)).GetProperty("id").GetString()!;
            string? alive;
            while ((alive = Directory.EnumerateFiles(workRoot, "alive", SearchOption.AllDirectories).FirstOrDefault()) is null)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the test never started\nworker log:\n{worker.Log}");
                await Task.Delay(50);
            }

            var clock = Stopwatch.StartNew();
            var cancelled = await (await client.DeleteAsync($"/api/v1/submissions/{id}")).Expect(200);
            Assert.Equal("cancelled", cancelled.GetProperty("verdict").GetString());
            while (File.Exists(alive))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the box still runs {clock.Elapsed} after the DELETE\nworker log:\n{worker.Log}");
                await Task.Delay(10);
            }
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
    }

    [Fact]
    public async Task The_list_filters_by_status_language_and_problem_and_pages_newest_first_with_an_opaque_cursor()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        var python = new List<string>();
        for (var i = 0; i < 3; i++)
            python.Add((await (await client.PostJson("/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = Programs.EchoPython, stdin = $"{i}", expected_output = $"{i}" })).Expect(200)).GetProperty("id").GetString()!);
        var bash = (await (await client.PostJson("/api/v1/submissions?wait=true", new { language = "bash", source = "exit 3" })).Expect(200)).GetProperty("id").GetString()!;

        var first = await (await client.GetAsync("/api/v1/submissions?language=python&limit=2")).Expect(200);
        Assert.Equal([python[2], python[1]], first.GetProperty("submissions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        var cursor = first.GetProperty("next_cursor").GetString()!;
        var second = await (await client.GetAsync($"/api/v1/submissions?language=python&limit=2&cursor={Uri.EscapeDataString(cursor)}")).Expect(200);
        Assert.Equal([python[0]], second.GetProperty("submissions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);

        var all = await (await client.GetAsync("/api/v1/submissions?status=finished")).Expect(200);
        Assert.Equal([bash, python[2], python[1], python[0]], all.GetProperty("submissions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        var summary = all.GetProperty("submissions")[0];
        Assert.Equal("runtime_error", summary.GetProperty("verdict").GetString());
        Assert.Equal("bash", summary.GetProperty("language").GetString());
        Assert.False(summary.TryGetProperty("tests", out _), "a list carries no tests");
        Assert.Empty((await (await client.GetAsync("/api/v1/submissions?status=queued")).Expect(200)).GetProperty("submissions").EnumerateArray());
        Assert.Empty((await (await client.GetAsync("/api/v1/submissions?problem=no-such-problem")).Expect(200)).GetProperty("submissions").EnumerateArray());

        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=101", "limit"), ("status=done", "status"), ("cursor=abc", "cursor"), ("verdict=accepted", "verdict") })
        {
            var problem = await (await client.GetAsync($"/api/v1/submissions?{query}")).Expect(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }
    }
}
