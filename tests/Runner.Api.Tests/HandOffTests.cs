using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Runner.Api.Contracts;
using Runner.Api.Judging;
using Runner.Api.Queue;
using Runner.Api.Runs;
using Runner.Api.Storage;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// The hand-off: in a process with both roles a new submission goes to an idle judge worker of
/// that process without a Hangfire job, and Hangfire stays the fallback (no idle worker for a
/// while, a lost hand-off, an enqueue lost for a run). Real PostgreSQL, real Hangfire, real boxes.
/// </summary>
[Collection("Service")]
public sealed class HandOffTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static Task<long> ScalarAsync(string db, string sql, object? arg = null) => Db.ScalarAsync(db, sql, arg);

    [Fact]
    public async Task A_submission_handed_to_an_idle_worker_is_judged_once_without_a_hangfire_job()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = TestHosts.Api(db);
        var client = host.Client();

        var done = await (await client.PostJson("/api/v1/submissions?wait=true", new
        {
            language = TestHosts.Python,
            source = Programs.EchoPython,
            tests = new[] { new { input = "1", expected_output = "1" }, new { input = "2", expected_output = "2" } },
        })).Expect(200);
        Assert.Equal("accepted", done.GetProperty("verdict").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        var id = done.GetProperty("id").GetString()!;

        Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM runner.submissions WHERE id = $1::uuid AND job_id IS NOT NULL", id));
        Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM hangfire.job WHERE arguments::text LIKE '%' || $1 || '%'", id));
        // The last test's event was stored with the result, numbered before the finished event.
        var events = new List<SseEvent>();
        await foreach (var e in EventStream.ReadAsync(client, $"/api/v1/submissions/{id}/events")) events.Add(e);
        Assert.Equal(["queued", "compiling", "compiled", "test", "test", "finished"], events.Select(e => e.Type));
        Assert.Equal([1L, 2, 3, 4, 5, 6], events.Select(e => e.Id));
        Assert.Equal(2, events[4].Data.GetProperty("index").GetInt32());
        Assert.Equal("accepted", events[^1].Data.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task A_submission_whose_hand_off_was_lost_is_run_by_the_fallback()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = TestHosts.Api(db);
        var client = host.Client();
        var store = host.Services.GetRequiredService<ISubmissionStore>();
        var first = await (await client.PostJson("/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = Programs.EchoPython, stdin = "5", expected_output = "5" })).Expect(200);
        var input = (await store.GetAsync(Guid.Parse(first.GetProperty("id").GetString()!), default))!.Input;

        // What a process that died mid-judge leaves: a running row, claimed in its name, whose
        // lease ran out, with no Hangfire job. And one that died between the insert and the
        // hand-off: a queued row without a job, older than the sweep's minute.
        var lost = new SubmissionRecord { Id = Guid.CreateVersion7(), Status = SubmissionStatus.Queued, Input = input, CreatedAt = DateTimeOffset.UtcNow };
        var stranded = lost with { Id = Guid.CreateVersion7(), CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-2) };
        await store.InsertAsync([lost, stranded], default);
        Assert.Equal(ClaimResult.Claimed, (await store.TryClaimAsync(lost.Id, "dead-host:1:00000000", TimeSpan.FromMilliseconds(1), default)).Result);
        await Task.Delay(50);

        await SweepAsync(host);
        foreach (var id in new[] { lost.Id, stranded.Id })
        {
            var done = await Programs.PollUntilFinishedAsync(client, id.ToString(), TimeSpan.FromSeconds(60));
            Assert.Equal("accepted", done.GetProperty("verdict").GetString());
            Assert.Equal(1, await ScalarAsync(db, "SELECT count(*) FROM hangfire.job WHERE arguments::text LIKE '%' || $1 || '%'", id.ToString()));
        }
        Assert.Equal(2, (await store.GetAsync(lost.Id, default))!.Attempts);
        Assert.Equal(1, (await store.GetAsync(stranded.Id, default))!.Attempts);

        // Both have a job now: a second sweep enqueues nothing more.
        await SweepAsync(host);
        Assert.Equal(2, await ScalarAsync(db, "SELECT count(*) FROM hangfire.job WHERE arguments::text LIKE '%' || $1 || '%' OR arguments::text LIKE '%' || $2 || '%'", (lost.Id.ToString(), stranded.Id.ToString())));
    }

    [Fact]
    public async Task A_submission_waiting_for_a_busy_worker_goes_to_hangfire_stays_queued_and_is_judged_once_after_a_cancel_frees_the_worker()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = TestHosts.Api(db, new Dictionary<string, string?>
        {
            ["Runner:Queue:Workers"] = "1",
            ["Runner:Queue:HandOffWaitSeconds"] = "0.5",
        });
        var client = host.Client();
        var slow = await OccupyTheOneWorkerAsync(client);
        var next = (await (await client.PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = Programs.EchoPython, stdin = "3", expected_output = "3" })).Expect(202)).GetProperty("id").GetString()!;

        // The one worker is busy: after the short wait the submission gets a Hangfire job, whose
        // delivery waits for this process's worker without claiming it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ScalarAsync(db, "SELECT count(*) FROM runner.submissions WHERE id = $1::uuid AND job_id IS NOT NULL", next) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the waiting submission never got a Hangfire job");
            await Task.Delay(50);
        }
        await Task.Delay(1000);
        Assert.Equal("queued", (await (await client.GetAsync($"/api/v1/submissions/{next}")).Expect(200)).GetProperty("status").GetString());
        Assert.Equal("running", (await (await client.GetAsync($"/api/v1/submissions/{slow}")).Expect(200)).GetProperty("status").GetString());

        var cancelled = await (await client.DeleteAsync($"/api/v1/submissions/{slow}")).Expect(200);
        Assert.Equal("cancelled", cancelled.GetProperty("verdict").GetString());
        var done = await Programs.PollUntilFinishedAsync(client, next, TimeSpan.FromSeconds(60));
        Assert.Equal("accepted", done.GetProperty("verdict").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        Assert.Equal(1, (await (await client.GetAsync($"/api/v1/submissions/{slow}")).Expect(200)).GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_submission_cancelled_while_it_waits_for_a_hand_off_is_never_judged()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = TestHosts.Api(db, new Dictionary<string, string?>
        {
            ["Runner:Queue:Workers"] = "1",
            ["Runner:Queue:HandOffWaitSeconds"] = "30",
        });
        var client = host.Client();
        var slow = await OccupyTheOneWorkerAsync(client);
        var waiting = (await (await client.PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = Programs.EchoPython })).Expect(202)).GetProperty("id").GetString()!;

        var cancelledWaiting = await (await client.DeleteAsync($"/api/v1/submissions/{waiting}")).Expect(200);
        Assert.Equal("cancelled", cancelledWaiting.GetProperty("verdict").GetString());
        await (await client.DeleteAsync($"/api/v1/submissions/{slow}")).Expect(200);

        // The freed worker takes the waiting one, finds it finished, and judges nothing.
        var other = await (await client.PostJson("/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = Programs.EchoPython, stdin = "4", expected_output = "4" })).Expect(200);
        Assert.Equal("accepted", other.GetProperty("verdict").GetString());
        var later = await (await client.GetAsync($"/api/v1/submissions/{waiting}")).Expect(200);
        Assert.Equal("cancelled", later.GetProperty("verdict").GetString());
        Assert.Equal(0, later.GetProperty("attempts").GetInt32());
        Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM hangfire.job WHERE arguments::text LIKE '%' || $1 || '%'", waiting));
    }

    [Fact]
    public async Task An_api_only_host_never_hands_off_and_a_separate_worker_judges_through_hangfire()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var api = TestHosts.Api(db, new Dictionary<string, string?> { ["Runner:Roles"] = "api" });
        Assert.False(api.Services.GetRequiredService<LocalHandOff>().Enabled);
        var client = api.Client();
        using var worker = new WorkerProcess(db);
        await AbsentWorker.WaitUntilListedAsync(client, TimeSpan.FromSeconds(90), TestHosts.Python);

        var done = await (await client.PostJson("/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = Programs.EchoPython, stdin = "6", expected_output = "6" })).Expect(200);
        Assert.True(done.GetProperty("verdict").GetString() == "accepted", $"{done}\n{worker.Log}");
        var id = done.GetProperty("id").GetString()!;
        Assert.Equal(1, await ScalarAsync(db, "SELECT count(*) FROM runner.submissions WHERE id = $1::uuid AND job_id IS NOT NULL", id));
        Assert.Equal(1, await ScalarAsync(db, "SELECT count(*) FROM hangfire.job WHERE arguments::text LIKE '%' || $1 || '%'", id));
    }

    [Fact]
    public async Task A_run_whose_enqueue_was_lost_is_executed_by_the_recovery_sweep()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = TestHosts.Api(db);
        var client = host.Client();
        var runs = host.Services.GetRequiredService<IRunStore>();
        var limits = new JudgeLimits(2, 5, 256 << 20, 64, 1 << 20);
        var run = new RunRecord
        {
            Id = Guid.CreateVersion7(),
            Status = SubmissionStatus.Queued,
            Input = new RunInput([], [new RunInputStep(["/bin/echo", "swept"], "", limits, false, "command")], [], false),
            CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
        };
        await runs.InsertAsync(run, default);

        await SweepAsync(host);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        RunRecord? stored;
        while ((stored = await runs.GetAsync(run.Id, default))!.Status != SubmissionStatus.Finished)
        {
            Assert.True(DateTime.UtcNow < deadline, "the swept run was never executed");
            await Task.Delay(100);
        }
        Assert.Equal("swept\n", stored.Outcome!.Response!.Stdout);
        Assert.Equal(1, await ScalarAsync(db, "SELECT count(*) FROM runner.runs WHERE id = $1::uuid AND job_id IS NOT NULL", run.Id.ToString()));
    }

    private static async Task SweepAsync(RunnerHost host)
    {
        using var scope = host.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<RecoverySweep>().RunAsync(default);
    }

    /// <summary>Posts a program that runs for a minute and waits until it holds the host's one worker; returns its id.</summary>
    private static async Task<string> OccupyTheOneWorkerAsync(HttpClient client)
    {
        var slow = (await (await client.PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = Programs.SlowEchoPython(60),
            limits = new { wall_time = 59 },
        })).Expect(202)).GetProperty("id").GetString()!;
        await WaitForStatusAsync(client, slow, "running");
        return slow;
    }

    private static async Task WaitForStatusAsync(HttpClient client, string id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await (await client.GetAsync($"/api/v1/submissions/{id}")).Expect(200)).GetProperty("status").GetString() != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"submission {id} never became {status}");
            await Task.Delay(50);
        }
    }

    private static class Db
    {
        public static async Task<long> ScalarAsync(string db, string sql, object? arg)
        {
            await using var conn = new NpgsqlConnection(db);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, conn);
            if (arg is ValueTuple<string, string>(var a, var b))
            {
                cmd.Parameters.Add(new() { Value = a });
                cmd.Parameters.Add(new() { Value = b });
            }
            else if (arg is not null) cmd.Parameters.Add(new() { Value = arg });
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
