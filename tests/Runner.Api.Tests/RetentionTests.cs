using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Runner.Api.Storage;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>Finished submissions do not live forever: a TTL in PostgreSQL, a bound in memory.</summary>
[Collection("Service")]
public sealed class RetentionTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static object Echo(string text) => new { language = TestHosts.Python, source = Programs.EchoPython, stdin = text, expected_output = text };

    private static async Task<string> JudgeAsync(HttpClient client, string text) =>
        (await (await client.PostJson("/api/v1/submissions?wait=true", Echo(text))).Expect(200)).GetProperty("id").GetString()!;

    [Fact]
    public async Task Finished_submissions_older_than_the_retention_are_deleted_by_the_sweep()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = TestHosts.Api(db, new Dictionary<string, string?> { ["Runner:Retention:FinishedDays"] = "7" });
        var client = host.Client();
        var old = await JudgeAsync(client, "old");
        var recent = await JudgeAsync(client, "recent");
        await using (var conn = new NpgsqlConnection(db))
        {
            await conn.OpenAsync();
            await using var backdate = new NpgsqlCommand("UPDATE runner.submissions SET finished_at = now() - interval '8 days' WHERE id = $1", conn);
            backdate.Parameters.Add(new() { Value = Guid.Parse(old) });
            Assert.Equal(1, await backdate.ExecuteNonQueryAsync());
        }

        // The sweep Hangfire runs hourly, run now.
        using (var scope = host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<RetentionSweep>().RunAsync(CancellationToken.None);

        await (await client.GetAsync($"/api/v1/submissions/{old}")).Expect(404);
        await (await client.GetAsync($"/api/v1/submissions/{recent}")).Expect(200);
    }

    [Fact]
    public async Task The_in_memory_store_keeps_at_most_the_configured_number_of_finished_submissions()
    {
        await using var host = TestHosts.Api("", new Dictionary<string, string?> { ["Runner:Retention:MaxInMemoryFinished"] = "2" });
        var client = host.Client();
        var ids = new List<string>();
        foreach (var text in new[] { "a", "b", "c" }) ids.Add(await JudgeAsync(client, text));
        await (await client.GetAsync($"/api/v1/submissions/{ids[0]}")).Expect(404);
        await (await client.GetAsync($"/api/v1/submissions/{ids[1]}")).Expect(200);
        await (await client.GetAsync($"/api/v1/submissions/{ids[2]}")).Expect(200);
    }
}
