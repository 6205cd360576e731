using Npgsql;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// Submissions survive the processes that handle them: queued with no worker running, and
/// judged exactly once when their worker is SIGKILLed mid-job. Workers here are the real
/// src/Runner.Worker started as separate processes.
/// </summary>
[Collection("Service")]
public sealed class DurabilityTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static RunnerHost ApiOnly(string db, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Runner:Roles"] = "api" };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        return TestHosts.Api(db, settings);
    }

    [Fact]
    public async Task A_submission_queued_by_an_api_only_host_is_judged_after_a_worker_starts_on_the_same_database()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var api = ApiOnly(db);
        var client = api.Client();
        await AbsentWorker.RecordAsync(db, client, TestHosts.Python);
        var id = (await (await client.PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = Programs.EchoPython,
            stdin = "7",
            expected_output = "7",
        })).Expect(202)).GetProperty("id").GetString()!;

        await Task.Delay(1500);
        var still = await (await client.GetAsync($"/api/v1/submissions/{id}")).Expect(200);
        Assert.Equal("queued", still.GetProperty("status").GetString());

        using var worker = new WorkerProcess(db);
        var done = await Programs.PollUntilFinishedAsync(client, id, TimeSpan.FromSeconds(90));
        Assert.True(done.GetProperty("verdict").GetString() == "accepted", $"{done}\nworker log:\n{worker.Log}");
    }

    [Fact]
    public async Task A_worker_killed_mid_job_loses_nothing_and_the_submission_is_judged_exactly_once()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var listener = new CallbackListener();
        await using var api = ApiOnly(db, new Dictionary<string, string?> { ["Runner:CallbackAllowedHosts:0"] = "127.0.0.1" });
        var client = api.Client();
        var workerSettings = new Dictionary<string, string>
        {
            ["Runner:Queue:InvisibilityTimeoutSeconds"] = "8",
            ["Runner:Queue:LeaseSeconds"] = "4",
            ["Runner:Queue:PollIntervalSeconds"] = "1",
            ["Runner:CallbackAllowedHosts:0"] = "127.0.0.1",
        };

        using var first = new WorkerProcess(db, workerSettings);
        await AbsentWorker.WaitUntilListedAsync(client, TimeSpan.FromSeconds(90), TestHosts.Python);
        var id = (await (await client.PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = Programs.SlowEchoPython(5),
            limits = new { wall_time = 20 },
            stdin = "z",
            expected_output = "z",
            callback_url = listener.Url,
        })).Expect(202)).GetProperty("id").GetString()!;

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await (await client.GetAsync($"/api/v1/submissions/{id}")).Expect(200)).GetProperty("status").GetString() != "running")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the first worker never started the job\n{first.Log}");
            await Task.Delay(50);
        }
        await Task.Delay(500);
        first.Kill9();

        using var second = new WorkerProcess(db, workerSettings);
        var done = await Programs.PollUntilFinishedAsync(client, id, TimeSpan.FromSeconds(120));
        Assert.True(done.GetProperty("verdict").GetString() == "accepted", $"{done}\nsecond worker log:\n{second.Log}");

        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT attempts, status FROM runner.submissions WHERE id = $1", conn);
        cmd.Parameters.Add(new() { Value = Guid.Parse(id) });
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(2, reader.GetInt32(0));
            Assert.Equal("finished", reader.GetString(1));
        }

        await listener.WaitForAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(3000);
        Assert.Single(listener.Requests);
    }
}
