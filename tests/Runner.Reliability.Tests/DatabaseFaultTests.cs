using System.Collections.Concurrent;
using System.Net;
using Runner.Api.Tests.Infrastructure;
using Runner.Reliability.Tests.Infrastructure;

namespace Runner.Reliability.Tests;

/// <summary>
/// PostgreSQL restarted under load: every answer is a success or a 503 with Retry-After, never
/// a 500; clients that repeat with their Idempotency-Key end up with one submission each; no
/// row is left without a job, and everything is judged once the database is back.
/// </summary>
public sealed class DatabaseFaultTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Restarting_postgresql_under_load_gives_successes_or_503s_never_a_500_and_no_row_without_a_job()
    {
        var db = await postgres.CreateDatabaseAsync();
        using var api = await ServiceProcess.StartApiAsync(db, new Dictionary<string, string> { ["Runner:Roles"] = "api", ["Runner:Queue:RetryAfterSeconds"] = "1" });
        using var worker = await ServiceProcess.StartWorkerAsync(db);
        var client = api.Client(TimeSpan.FromSeconds(60));
        var answers = new ConcurrentBag<(string What, int Status, bool RetryAfter)>();
        var accepted = new ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(14));

        async Task ClientLoop(int n)
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var key = $"client{n}-{i}";
                var wait = i % 2 == 0 ? "?wait=true" : "";
                try
                {
                    var r = await Submissions.PostAsync(client, "/api/v1/submissions" + wait, new { language = TestHosts.Python, source = $"print({n * 1000 + i})", expected_output = $"{n * 1000 + i}" }, key);
                    answers.Add(("POST", (int)r.StatusCode, r.Headers.RetryAfter is not null));
                    if (r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted)
                    {
                        accepted[key] = (await r.Body()).GetProperty("id").GetString()!;
                        var get = await client.GetAsync($"/api/v1/submissions/batch?ids={accepted[key]}");
                        answers.Add(("GET", (int)get.StatusCode, get.Headers.RetryAfter is not null));
                        i++;
                        continue;
                    }
                }
                catch (HttpRequestException)
                {
                    // A dropped connection: the client cannot know, so it repeats with the same key.
                }
                await Task.Delay(300);
            }
        }

        var clients = Enumerable.Range(0, 6).Select(ClientLoop).ToList();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await postgres.RestartAsync();
        await Task.WhenAll(clients);

        var failures = answers.Where(a => a.Status >= 500 && a.Status != 503).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} answers were 5xx other than 503: {string.Join(", ", failures.Take(10))}\n{api.Log}");
        Assert.All(answers.Where(a => a.Status == 503), a => Assert.True(a.RetryAfter, "a 503 without Retry-After"));
        Assert.True(accepted.Count > 10, $"only {accepted.Count} submissions were accepted around the restart");

        // Every key the clients used is one row, and every row is one the clients know of: no phantoms.
        Assert.Equal(accepted.Count, await Submissions.ScalarAsync(db, "SELECT count(*) FROM runner.submissions"));
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await Submissions.ScalarAsync(db, "SELECT count(*) FROM runner.submissions WHERE status <> 'finished' OR job_id IS NULL") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"submissions left unfinished or without a job 90 s after the restart\n{worker.Log}");
            await Task.Delay(500);
        }
        Assert.Equal(0, await Submissions.ScalarAsync(db, "SELECT count(*) FROM runner.submissions WHERE result::text NOT LIKE '%\"accepted\"%'"));
    }
}
