using Runner.Api.Tests.Infrastructure;
using Runner.Reliability.Tests.Infrastructure;

namespace Runner.Reliability.Tests;

/// <summary>A database that is down when the service starts is waited for, with a clear log line, not a crash.</summary>
public sealed class StartupTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task An_api_started_while_postgresql_is_down_waits_for_it_and_then_serves()
    {
        var db = await postgres.CreateDatabaseAsync();
        await postgres.StopAsync();
        using var api = ServiceProcess.StartApi(db, new Dictionary<string, string> { ["Runner:Roles"] = "api" });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!api.Log.Contains("store is not reachable", StringComparison.Ordinal))
        {
            Assert.False(api.HasExited, $"the API exited while the database was down:\n{api.Log}");
            Assert.True(DateTime.UtcNow < deadline, $"no log line about the unreachable database:\n{api.Log}");
            await Task.Delay(200);
        }
        await Task.Delay(3000);
        Assert.False(api.HasExited, $"the API exited while the database was down:\n{api.Log}");

        await postgres.StartAgainAsync();
        await api.WaitUntilLiveAsync();
        Assert.Contains("store is reachable after", api.Log, StringComparison.Ordinal);
        using var client = api.Client();
        await (await client.GetAsync("/health/live")).Content.ReadAsStringAsync();
        Assert.Equal(0, await Submissions.ScalarAsync(db, "SELECT count(*) FROM runner.submissions"));
    }
}
