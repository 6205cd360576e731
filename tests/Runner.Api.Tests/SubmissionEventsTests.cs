using System.Diagnostics;
using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// GET /api/v1/submissions/{id}/events: live events from a worker in another process, through
/// PostgreSQL NOTIFY, stored so a client resumes after a disconnect with Last-Event-ID.
/// </summary>
[Collection("Service")]
public sealed class SubmissionEventsTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task An_event_stream_from_an_api_process_carries_a_separate_workers_events_in_order_and_resumes_after_a_disconnect()
    {
        var db = await postgres.CreateDatabaseAsync();
        using var api = new ApiProcess(db);
        using var worker = new WorkerProcess(db);
        var client = await api.ClientAsync(TimeSpan.FromSeconds(60));
        await WaitForLanguageAsync(client, worker);

        var id = (await (await client.PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = Programs.SlowEchoPython(0.3),
            tests = new[]
            {
                new { name = "one", input = "1", expected_output = "1" },
                new { name = "two", input = "2", expected_output = "2" },
                new { name = "three", input = "3", expected_output = "x" },
            },
        })).Expect(202)).GetProperty("id").GetString()!;
        var url = $"/api/v1/submissions/{id}/events";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // The first connection goes away after compiling, as a dropped connection would.
        var seen = new List<SseEvent>();
        await foreach (var e in EventStream.ReadAsync(client, url, ct: timeout.Token))
        {
            seen.Add(e);
            if (e.Type == "compiling") break;
        }
        var clock = Stopwatch.StartNew();
        await foreach (var e in EventStream.ReadAsync(client, url, seen[^1].Id, timeout.Token)) seen.Add(e);

        var log = $"events: {string.Join(" ", seen.Select(e => $"{e.Id}:{e.Type}"))}\nworker log:\n{worker.Log}";
        Assert.True(seen.Select(e => e.Type).SequenceEqual(["queued", "compiling", "compiled", "test", "test", "test", "finished"]), log);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), seen.Select(e => e.Id));
        Assert.Equal(id, seen[0].Data.GetProperty("id").GetString());
        Assert.Equal(1, seen[1].Data.GetProperty("attempt").GetInt32());
        var tests = seen.Where(e => e.Type == "test").Select(e => e.Data).ToList();
        Assert.Equal([1, 2, 3], tests.Select(t => t.GetProperty("index").GetInt32()));
        Assert.All(tests, t => Assert.Equal(3, t.GetProperty("count").GetInt32()));
        Assert.Equal(["one", "two", "three"], tests.Select(t => t.GetProperty("test").GetProperty("name").GetString()));
        Assert.Equal(["accepted", "accepted", "wrong_answer"], tests.Select(t => t.GetProperty("test").GetProperty("verdict").GetString()));
        var finished = seen[^1].Data;
        Assert.Equal("finished", finished.GetProperty("status").GetString());
        Assert.Equal("wrong_answer", finished.GetProperty("verdict").GetString());
        Assert.Equal(3, finished.GetProperty("tests").GetArrayLength());
        // Woken by NOTIFY, not by the stream's 15 s keep-alive re-read.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"the resumed stream took {clock.Elapsed}\n{log}");

        // A client that saw everything gets nothing more, and an unknown id is a 404.
        await foreach (var e in EventStream.ReadAsync(client, url, 7, timeout.Token)) Assert.Fail($"unexpected event after finished: {e}");
        await (await client.GetAsync($"/api/v1/submissions/{Guid.NewGuid()}/events")).Expect(404);
        using var bad = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Last-Event-ID", "abc" } } };
        var problem = await (await client.SendAsync(bad)).Expect(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("Last-Event-ID", out _), problem.ToString());
    }

    [Fact]
    public async Task Without_a_database_the_stream_carries_the_same_events_through_in_process_signals()
    {
        await using var host = TestHosts.Api("");
        var client = host.Client();
        var id = (await (await client.PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = Programs.SlowEchoPython(0.2), stdin = "x", expected_output = "x" })).Expect(202)).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<SseEvent>();
        await foreach (var e in EventStream.ReadAsync(client, $"/api/v1/submissions/{id}/events", ct: timeout.Token)) seen.Add(e);
        Assert.Equal(["queued", "compiling", "compiled", "test", "finished"], seen.Select(e => e.Type));
        Assert.Equal([1L, 2, 3, 4, 5], seen.Select(e => e.Id));
        Assert.Equal("accepted", seen[^1].Data.GetProperty("verdict").GetString());
    }

    private static async Task WaitForLanguageAsync(HttpClient client, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!(await (await client.GetAsync("/api/v1/languages")).Expect(200)).EnumerateArray().Any(l => l.GetProperty("id").GetString() == TestHosts.Python))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the worker's languages never reached the API\nworker log:\n{worker.Log}");
            await Task.Delay(200);
        }
    }
}
