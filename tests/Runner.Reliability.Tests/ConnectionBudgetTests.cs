using System.Net;
using Runner.Api.Tests.Infrastructure;
using Runner.Reliability.Tests.Infrastructure;

namespace Runner.Reliability.Tests;

/// <summary>A PostgreSQL with max_connections = 100, the default of most installations.</summary>
public sealed class SmallPostgresServer : PostgresServer
{
    protected override int MaxConnections => 100;
}

/// <summary>
/// The service cannot exhaust PostgreSQL by itself: waiting requests hold no connection (one
/// shared LISTEN per API process), and every pool is bounded by configuration.
/// </summary>
public sealed class ConnectionBudgetTests(SmallPostgresServer postgres) : IClassFixture<SmallPostgresServer>
{
    [Fact]
    public async Task Three_hundred_concurrent_wait_true_requests_on_a_server_with_100_connections_get_no_5xx()
    {
        var db = await postgres.CreateDatabaseAsync();
        using var api = await ServiceProcess.StartApiAsync(db, new Dictionary<string, string> { ["Runner:Roles"] = "api", ["Runner:WaitTimeoutSeconds"] = "8" });
        // A worker recorded python and is gone: every request is held the whole wait, as under a
        // queue that is not draining.
        await AbsentWorker.RecordAsync(db, api.Client(), TestHosts.Python);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 400 };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(api.Url), Timeout = TimeSpan.FromSeconds(90) };

        long mostConnections = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                mostConnections = Math.Max(mostConnections, await postgres.ConnectionCountAsync());
                await Task.Delay(200);
            }
        });

        var posts = Enumerable.Range(0, 300).Select(i => Submissions.PostAsync(client, "/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = $"print({i})" })).ToList();
        var answers = await Task.WhenAll(posts);
        await sampling.CancelAsync();
        await sampler;

        var codes = answers.GroupBy(a => (int)a.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(codes.Keys.All(c => c < 500), $"answers: {string.Join(", ", codes.Select(c => $"{c.Value} x {c.Key}"))}\n{api.Log}");
        Assert.Equal(300, codes.GetValueOrDefault((int)HttpStatusCode.Accepted));
        Assert.True(mostConnections < 60, $"{mostConnections} server connections at the peak");
        Assert.Equal(300, await Submissions.ScalarAsync(db, "SELECT count(*) FROM runner.submissions WHERE job_id IS NOT NULL"));
    }
}
