using System.Diagnostics;
using System.Text.RegularExpressions;
using Runner.Api.Tests.Infrastructure;
using Runner.Reliability.Tests.Infrastructure;

namespace Runner.Reliability.Tests;

/// <summary>
/// Redelivery works both ways: a SIGKILLed worker's submission is judged by another worker
/// within two minutes with the default timeouts (also one handed off inside an API process, which
/// has no Hangfire job), and a live job that runs longer than the invisibility timeout is never
/// handed to a second worker. Real PostgreSQL, real API and worker processes.
/// </summary>
public sealed partial class WorkerCrashTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly Dictionary<string, string> ApiOnly = new() { ["Runner:Roles"] = "api" };
    private static readonly Dictionary<string, string> OneWorker = new() { ["Runner:Queue:Workers"] = "1" };

    [Fact]
    public async Task A_worker_killed_mid_job_has_its_submission_judged_by_another_within_two_minutes_with_default_timeouts()
    {
        var db = await postgres.CreateDatabaseAsync();
        using var api = await ServiceProcess.StartApiAsync(db, ApiOnly);
        using var first = await ServiceProcess.StartWorkerAsync(db, OneWorker);
        var client = api.Client();
        var id = (await (await Submissions.PostAsync(client, "/api/v1/submissions", Submissions.Sleeping(15))).Expect(202)).GetProperty("id").GetString()!;
        await Submissions.WaitForStatusAsync(client, id, "running", TimeSpan.FromSeconds(60));
        var firstSessions = WorkRoot().Match(first.Log).Groups["path"].Value;
        Assert.True(Directory.Exists(firstSessions), $"the first worker's session directory {firstSessions} should exist while it judges\n{first.Log}");

        first.Kill9();
        var killed = Stopwatch.StartNew();
        using var second = await ServiceProcess.StartWorkerAsync(db, OneWorker);
        Assert.False(Directory.Exists(firstSessions), $"the second worker should have removed the killed worker's sessions {firstSessions}\n{second.Log}");

        var done = await Submissions.WaitForStatusAsync(client, id, "finished", TimeSpan.FromMinutes(2));
        Assert.True(killed.Elapsed < TimeSpan.FromMinutes(2), $"judged {killed.Elapsed} after the kill");
        Assert.True(done.GetProperty("verdict").GetString() == "accepted", $"{done}\n{second.Log}");
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.Equal(1, await Submissions.ScalarAsync(db, "SELECT count(*) FROM hangfire.job WHERE arguments::text LIKE '%' || $1 || '%'", id));
    }

    [Fact]
    public async Task A_live_job_longer_than_the_invisibility_timeout_is_never_handed_to_another_worker()
    {
        var db = await postgres.CreateDatabaseAsync();
        var shortTimeout = new Dictionary<string, string> { ["Runner:Queue:Workers"] = "1", ["Runner:Queue:InvisibilityTimeoutSeconds"] = "5", ["Runner:Queue:PollIntervalSeconds"] = "1" };
        using var api = await ServiceProcess.StartApiAsync(db, ApiOnly);
        using var first = await ServiceProcess.StartWorkerAsync(db, shortTimeout);
        using var second = await ServiceProcess.StartWorkerAsync(db, shortTimeout);
        var client = api.Client();
        var id = (await (await Submissions.PostAsync(client, "/api/v1/submissions", Submissions.Sleeping(15))).Expect(202)).GetProperty("id").GetString()!;
        var done = await Submissions.WaitForStatusAsync(client, id, "finished", TimeSpan.FromSeconds(90));
        Assert.Equal("accepted", done.GetProperty("verdict").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        var jobId = await Submissions.ScalarAsync(db, "SELECT id FROM hangfire.job WHERE arguments::text LIKE '%' || $1 || '%'", id);
        Assert.Equal(1, await Submissions.ScalarAsync(db, "SELECT count(*) FROM hangfire.state WHERE jobid = $1 AND name = 'Processing'", jobId));
    }

    [Fact]
    public async Task A_submission_handed_off_in_a_killed_api_process_is_judged_once_by_another_process_through_the_recovery_sweep()
    {
        var db = await postgres.CreateDatabaseAsync();
        // Both roles: the submission is handed to the process's own worker, with no Hangfire job.
        var shortLease = new Dictionary<string, string> { ["Runner:Queue:LeaseSeconds"] = "4" };
        using var first = await ServiceProcess.StartApiAsync(db, shortLease);
        var client = first.Client();
        var id = (await (await Submissions.PostAsync(client, "/api/v1/submissions", Submissions.Sleeping(15))).Expect(202)).GetProperty("id").GetString()!;
        await Submissions.WaitForStatusAsync(client, id, "running", TimeSpan.FromSeconds(60));
        Assert.Equal(0, await Submissions.ScalarAsync(db, "SELECT count(*) FROM hangfire.job WHERE arguments::text LIKE '%' || $1 || '%'", id));

        first.Kill9();
        var killed = Stopwatch.StartNew();
        using var second = await ServiceProcess.StartApiAsync(db, shortLease);
        // The sweep runs every minute, and takes the row once the dead process's lease expired.
        var done = await Submissions.WaitForStatusAsync(second.Client(), id, "finished", TimeSpan.FromMinutes(2));
        Assert.True(done.GetProperty("verdict").GetString() == "accepted", $"{done}\n{second.Log}");
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(100), $"judged {killed.Elapsed} after the kill");
        Assert.Equal(1, await Submissions.ScalarAsync(db, "SELECT count(*) FROM hangfire.job WHERE arguments::text LIKE '%' || $1 || '%'", id));
    }

    [Fact]
    public async Task Wait_true_on_an_api_only_host_is_answered_as_soon_as_a_worker_elsewhere_stores_the_result()
    {
        var db = await postgres.CreateDatabaseAsync();
        using var api = await ServiceProcess.StartApiAsync(db, new Dictionary<string, string> { ["Runner:Roles"] = "api", ["Runner:WaitTimeoutSeconds"] = "60" });
        using var worker = await ServiceProcess.StartWorkerAsync(db, OneWorker);
        var client = api.Client();
        var waited = Stopwatch.StartNew();
        var r = await Submissions.PostAsync(client, "/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = "print(1)", expected_output = "1" });
        var body = await r.Expect(200);
        Assert.Equal("accepted", body.GetProperty("verdict").GetString());
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"answered after {waited.Elapsed}");
    }

    [GeneratedRegex("Judge sessions go to (?<path>\\S+)")]
    private static partial Regex WorkRoot();
}
